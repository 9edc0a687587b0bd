#pragma once
// Population in a store: a census table joined by unit code, rasters summed over every unit
// (fractional cell weights), values allocated from one level to another (area-weighted or
// dasymetric) and projected to later years with cantonal projections. Each call reads the
// store, computes (population/ layer) and writes the result in one atomic update; a failure
// leaves the store as it was. Deterministic for the same inputs and store.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/population/population.hpp"
#include "microplan/geo/usecases/progress.hpp"
#include "microplan/geo/usecases/replacement.hpp"

namespace microplan::geo::usecases {

// The people of the "total" band (0 when absent).
double population_total(const population_values& values);

// What import_population_table read, and what it replaced.
struct population_table_import : population_table_result {
    replacement replaced;  // units with a population in (level, year): stored before, written
};

// Joins the table to the units of table.lvl and writes it as (table.lvl, table.year). Throws
// store_error when the store holds no units of that level, and format_error ("replacement
// refused", replacement.hpp) when the table gives fewer than half as many units a population
// as the store holds for that level and year, unless `policy` allows it.
population_table_import import_population_table(const std::string& store, const population_table_options& table,
                                                shrink_policy policy = shrink_policy::refuse);

struct raster_sum_request {
    std::string store;
    std::vector<std::string> rasters;  // summed (mainland + islands), any GDAL format and CRS
    std::vector<level> levels;         // empty = every level in the store
    int year = 0;
    unsigned threads = 0;
    progress on_progress;  // one line per level summed
};
struct level_population {
    level lvl = level::circuit;
    std::size_t units = 0;
    double total = 0;
    findings report;  // NoData cells inside units
};
struct raster_sum_result {
    std::vector<level_population> levels;
    double raster_window_total = 0;  // valid cells of the windows read (last level)
};
raster_sum_result import_population_rasters(const raster_sum_request& request);

struct allocation_request {
    std::string store;
    level from = level::parish, to = level::circuit;
    int year = 0;  // of the source figures; 0 = the latest stored
    allocation_options options;
};
struct allocation_summary {
    int year = 0;  // the source year used
    std::size_t target_units = 0;
    allocation_result result;
};
// Throws format_error when dasymetric has no raster, store_error when the store holds no
// population of `from` (that year) or no units of `to`.
allocation_summary allocate_stored_population(const allocation_request& request);

struct projection_request {
    std::string store;
    std::string projections;   // INEC's cantonal projections (provincia, canton, one column per year)
    std::optional<level> lvl;  // empty = every level with population
    int from_year = 0;         // 0 = the store's latest year that is not a projection
    int until = 2035;
};
struct projected_level {
    level lvl = level::circuit;
    std::map<int, population_values> years;
};
struct projection_result {
    int base_year = 0;
    std::vector<projected_level> levels;
    findings report;
};
// Throws store_error without population, cantons or provinces.
projection_result project_stored_population(const projection_request& request);

}  // namespace microplan::geo::usecases
