#pragma once
// Everything the coverage model needs, read through the store interface: the planning
// hierarchy without geometry, population per year, unit attributes, establishments placed by
// the unit codes stored with them, and stored accessibility results.
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::store {

// The planning levels present (zone, district, circuit, top-down) without geometries. Throws
// store_error when the store holds none.
territory read_territory(planning_store& store);

// Every stored year of population for the territory's tiers (year -> tier -> bands).
population_by_year read_population_years(const territory& where, planning_store& store);

// Establishments placed by the unit codes stored with them, and the new establishments of
// finished projects the registry does not hold yet; `fids` gets each one's store fid (a
// project's negated). `as_of` ("" = as the registry stands) keeps those in force on that date:
// opened by then (a registered establishment a finished project built opened at its end),
// not closed by then, and in poor condition before a later rehabilitation (docs/results.md,
// "History").
std::vector<placed_establishment> read_placed_establishments(const territory& where, planning_store& store,
                                                             std::vector<std::int64_t>& fids,
                                                             const std::vector<stored_project>& projects,
                                                             const std::string& as_of = {});

// Everything loaded for one population year (by default the base year: the latest that is
// not a projection).
struct planning_inputs {
    standards_catalogue catalogue;
    territory where;
    population_by_year people;
    int year = 0;  // the year the model holds
    std::vector<unit_attributes> attributes;
    std::vector<placed_establishment> establishments;
    std::vector<std::int64_t> establishment_fids;  // the store fid of each, in the same order
    accessibility_index accessibility;             // stored accessibility results (may be empty)
    std::optional<budget_scenarios> budget;        // the budget scenarios in force (older stores: none)
    sectors_catalogue sectors;                     // the sectors table in force, else the built-in eight
    std::vector<stored_project> projects;          // the investment portfolio (may be empty)
    std::string as_of;                             // the date the offer is counted on ("" = as registered)
    std::vector<observation> observed;             // observed values known on as_of (the latest revisions)
};
// Throws store_error when the store has no planning levels, no population or no standards
// (and no catalogue is given), each with what to run to get them.
// `as_of` (a parsed date, model/dates.hpp) counts the offer in force on that date and, when
// `year` is not given and the store has that year's population, takes it.
planning_inputs read_planning_inputs(planning_store& store, const std::optional<standards_catalogue>& catalogue = {},
                                     std::optional<int> year = {}, const std::string& as_of = {});

}  // namespace microplan::geo::store
