#pragma once
// Microplanning in the store: the standards catalogue in force (`standards`), unit
// attributes for endogenisation such as a poverty index (`unit_attributes`), coverage
// results per unit, sector and year (`coverage`), and loading everything the coverage model
// needs (the planning hierarchy without geometry, population per year, establishments with
// their unit codes). Writers run inside store::update_atomically. Schema: README.md,
// "Planning store".
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/store/accessibility.hpp"

namespace microplan::geo::store {

// Replaces the catalogue in force (validated first: throws format_error on errors).
void write_standards(sqlite::connection& db, const standards_catalogue& catalogue);
// The catalogue in force; nullopt when the store has none.
std::optional<standards_catalogue> read_standards(sqlite::connection& db);

// Replaces attribute `name` of a level (code -> value) and records its source.
void write_attributes(sqlite::connection& db, level lvl, const std::string& name,
                      const std::map<std::string, double>& values, const std::string& source);
unit_attributes read_attributes(sqlite::connection& db, level lvl);

// The planning levels present (zone, district, circuit, top-down) without geometries.
territory read_territory(sqlite::connection& db);

// Every stored year of population for the territory's tiers (year -> tier -> bands).
population_by_year read_population_years(const territory& where, sqlite::connection& db);

// Establishments placed by the unit codes stored with them.
std::vector<placed_establishment> read_placed_establishments(const territory& where, sqlite::connection& db);

// Everything loaded for one population year (by default the base year: the latest that is
// not a projection).
struct planning_inputs {
    standards_catalogue catalogue;
    territory where;
    population_by_year people;
    int year = 0;  // the year the model holds
    std::vector<unit_attributes> attributes;
    std::vector<placed_establishment> establishments;
    accessibility_index accessibility;  // stored accessibility results (may be empty)
};
// Throws store_error when the store has no planning levels, no population or no standards
// (and no catalogue is given), each with what to run to get them.
planning_inputs read_planning_inputs(sqlite::connection& db, const std::optional<standards_catalogue>& catalogue = {},
                                     std::optional<int> year = {});
coverage_model make_model(const planning_inputs& inputs, coverage_options options = {});

// The closing plan of a scenario (optimistic, moderate, pessimistic) from the inputs' year to
// `last_year`; `moderate_budget` 0 = 20 % of the investment the current gap needs.
closing_plan plan_for(const coverage_model& model, const planning_inputs& inputs,
                      const std::string& scenario = "moderate", double moderate_budget = 0, double growth = 0.05,
                      int last_year = 2035);

// Replaces the coverage results of `year` (one row per unit, sector and typology; typology
// '' for the sector total), so QGIS, the server and the viewer can read them.
void write_coverage(sqlite::connection& db, const coverage_model& model, int year, const closing_plan* plan = nullptr);

}  // namespace microplan::geo::store
