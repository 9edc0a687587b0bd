#pragma once
// The `population` table of the planning store: people per unit, level, year and age band,
// with the method and source that produced each value. Schema: README.md.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::store {

struct population_record {
    level lvl = level::circuit;
    int year = 0;
    std::string method;  // table, raster, area, dasymetric
    std::string source;  // file(s) the values come from
};

// Replaces the values of (level, year, band) for every band in `values`; units of the
// level without a value in a band get none (not 0). Records the import and its findings.
void write_population(sqlite::connection& db, const population_record& what, const population_values& values,
                      const import_record& record, const findings& report);

// Every band of one level and year (the latest stored year when `year` is empty): band ->
// unit code -> people; empty when the store holds none.
population_values read_population(sqlite::connection& db, level lvl, std::optional<int> year = {});

// The base year of planning: the latest year whose values are not projections (method
// "projection"), else the earliest stored; nullopt when the store holds no population.
std::optional<int> base_population_year(sqlite::connection& db);
// The years stored for a level, ascending.
std::vector<int> population_years(sqlite::connection& db, level lvl);

}  // namespace microplan::geo::store
