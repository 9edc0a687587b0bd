#pragma once
// Population per unit: census tables keyed by unit code, allocation from source polygons
// to other units (area-weighted or dasymetric with a population raster), and the values
// microplan stores per level, year and age band ("total", "0-3", "4-5", "6-17", "18-64", "65+").
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

// band -> unit code -> people
using population_values = std::map<std::string, std::map<std::string, double>>;

inline constexpr const char* total_band = "total";

struct population_table_options {
    std::string path;
    std::string layer;
    level lvl = level::parish;
    std::string code_field;                                  // "" = detected by code shape
    std::string value_field;                                 // "" = detected (docs/establishments-population.md)
    int year = 0;                                            // helps pick the value field
    std::vector<std::pair<std::string, std::string>> bands;  // age band label -> field
    std::string source_encoding = "ISO-8859-1";
    // The command-line flags that name the fields, for messages.
    std::string code_flag = "--code-field", value_flag = "--value-field";
};

struct population_table_result {
    population_values values;  // only codes that match a unit
    findings report;           // unmatched codes on both sides, bad values, duplicates
    std::string code_field, value_field;
    std::size_t rows = 0, matched = 0;
    std::vector<std::string> unmatched_codes;  // table codes with no unit
    std::vector<std::string> units_missing;    // unit codes with no table row
};

// Reads a table (CSV, spreadsheet, any GDAL layer) of population by unit code and joins
// it to `units`: codes normalised as for boundaries (leading zeros restored, "90750" ->
// "090750"); every table code without a unit and every unit without a row is reported.
population_table_result read_population_table(const population_table_options& options, const unit_layer& units);

enum class allocation_method { area, dasymetric };

struct allocation_options {
    allocation_method method = allocation_method::area;
    std::vector<std::string> rasters;  // dasymetric weights (population rasters), summed
    std::string analysis_crs = "EPSG:32717";
    unsigned threads = 0;
};

struct allocation_result {
    population_values values;  // per target code
    findings report;
    double source_total = 0;  // of the bands' "total" (or first band)
    double allocated_total = 0;
    std::size_t pieces = 0;  // source x target intersections
};

// Spreads each source unit's values over the target units it intersects, in proportion
// to the intersection's area (area) or to the raster population inside it (dasymetric;
// a source whose raster sum is 0 falls back to area, reported). Weights are normalised
// over the covered part of each source, so every covered source's total is preserved;
// a source no target touches is reported and left unallocated.
allocation_result allocate_population(const unit_layer& sources, const population_values& values,
                                      const unit_layer& targets, const allocation_options& options);

struct zonal_result;

// A population raster's values where the units lie, checked when they enter (bounds.hpp): a
// negative cell, a cell holding more than the world's population, or a window where every cell
// is NoData throws format_error naming the raster and the value.
void check_population_raster(const std::string& path, const zonal_result& sums);

}  // namespace microplan::geo
