#pragma once
// The design commands as use cases: read the sources, design, write the outputs.
//   design_units_to_file   population-balanced units from finer units (design/partition.hpp),
//                          written to a GDAL vector file and optionally a per-unit CSV;
//   build_ecuador          the national base (design/national.hpp) from a data folder, written
//                          to a planning store in one atomic update, with its report (JSON)
//                          and per-unit figures (CSV).
// Each call reads, computes and writes on the calling thread (computation runs on
// `threads` workers inside); deterministic for its inputs and seed.
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "microplan/geo/design/national.hpp"
#include "microplan/geo/design/partition.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/usecases/progress.hpp"

namespace microplan::geo::usecases {

// Population rasters read for design (io/raster.hpp), centres in `analysis_crs`.
design::weight_rasters read_weight_rasters(const std::vector<std::string>& paths, const std::string& analysis_crs);

struct design_units_options {
    std::string units, layer, code_field, name_field;           // the finer units
    std::string population, population_code, population_field;  // people per finer unit ("" = sum the rasters)
    std::vector<std::string> rasters;                           // weights for splitting (and people without a table)
    int parent_digits = 0;                                      // parent = first N characters of the code, or
    std::string parents, parents_code;                          // parent polygons holding the unit's interior point
    std::string out;                                            // designed units (.gpkg, .geojson, .fgb, .shp)
    std::string report;                                         // per-unit CSV ("" = none)
    // Optional friction raster (minutes per cell): units grow along travel time
    // (region_growth.hpp); `knight` for 16 neighbours.
    std::string friction;
    bool knight = false;
    design::design_options design;
};

struct design_units_summary {
    design::design_result result;
    findings report;  // reading and design findings
    std::size_t finer_units = 0;
    double design_seconds = 0;
};

design_units_summary design_units_to_file(const design_units_options& options);

struct build_ecuador_options {
    std::string data_dir;     // ../shared/data/ecuador layout
    std::string out;          // the planning store (replaced atomically)
    std::string report;       // "" = <out>_report.json
    std::string units_csv;    // "" = <out>_units.csv
    std::string legal_zones;  // the legal zoning (data/ecuador/legal_zones.csv); "" = none
    // Standards catalogues put in force together (data/standards/ecuador_*.csv); none = none.
    std::vector<std::string> standards;
    std::string budget_scenarios;  // put in force with the standards (data/budget_scenarios/ecuador.csv); "" = none
    design::national_options national;
    std::string command_line;  // recorded as the source of the designed levels
    // Told about each optional source that is missing (the build goes on without it).
    std::function<void(const std::string& path, const std::string& what)> missing_optional;
    // Travel time to the schools (national_access.hpp): the road speed tables' folder ("" = no
    // travel times) and where its progress goes.
    std::string road_speeds_dir;
    std::string friction_out;  // "" = none; else <friction_out>_<measure>.tif per season
    progress on_progress;
};

struct build_ecuador_summary {
    design::national_sources sources;
    design::national_result result;
    std::string report_path, csv_path;
    double mean_best_iou = 0, mean_district_iou = 0;  // designed vs official circuits, districts
    nlohmann::json accessibility;                     // the report's block; null when not built
};

build_ecuador_summary build_ecuador(const build_ecuador_options& options);

// The national report (JSON): sources, counts, timings, findings, per-unit figures and the
// comparison with the official circuits.
nlohmann::json national_report_json(const design::national_result& result, const design::national_sources& sources,
                                    const std::string& store);

// The per-unit report as CSV (level, code, name, parent, population, target, deviation %,
// Polsby-Popper, km², polygons, split finer units, official), written beside and renamed.
void write_unit_csv(const std::string& path, const std::vector<design::unit_report>& units);

}  // namespace microplan::geo::usecases
