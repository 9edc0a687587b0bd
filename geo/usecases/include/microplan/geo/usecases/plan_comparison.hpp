#pragma once
// Two plans side by side and plans as assignment files:
//   compare_plans          `microplan design compare A B`: which units match, which finer units
//                          and how many people change unit, people moved and the variation of
//                          information (design/compare.hpp); the changed areas as a vector file;
//   export_assignment      `microplan design assignment export`: a plan as "finer unit code ->
//                          unit code" (the block-assignment form DistrictBuilder, Districtr and
//                          GerryChain exchange), finer units split between units reported;
//   build_from_assignment  `microplan design assignment build`: the units of such a file
//                          dissolved from the finer polygons, codes that match nothing reported;
//                          with `remap_from`, the file's codes are of an older cartography and
//                          each new finer unit takes the unit of the old one holding most of it
//                          (every ambiguous case reported).
// Plans and finer units are read as plan_evaluation.hpp reads them (a store's level, or any
// GDAL polygon source, dissolved by code prefix when asked).
//
// Reads and writes on the calling thread; computation runs on `threads` workers.
// Deterministic for its inputs.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "microplan/geo/design/compare.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/usecases/plan_evaluation.hpp"

namespace microplan::geo::usecases {

struct plan_comparison_options {
    std::string store;  // supplies the finer units (its parishes) and people when not given
    level lvl = level::circuit;
    polygon_source a, b;  // each a planning store (its level `lvl`) or a polygon source
    polygon_source finer;
    std::string finer_population, finer_population_code, finer_population_field;
    std::string changed_out;  // the changed cells as a vector file ("" = none)
    std::string analysis_crs = "EPSG:32717";
    double sliver_km2 = 0.05;
    unsigned threads = 0;
};

struct plan_comparison_summary {
    design::plan_comparison comparison;
    std::string a_label, b_label, finer_label, population_label;
    std::size_t a_outside = 0, b_outside = 0;  // units sharing no area with the other plan, left out
    findings reading;
    double seconds = 0;
};

plan_comparison_summary compare_plans(const plan_comparison_options& options);
nlohmann::json plan_comparison_json(const plan_comparison_summary& s);
// The changed cells as a GeoJSON FeatureCollection (unit_a, unit_b, people, area_km2), for maps.
nlohmann::json changed_cells_geojson(const design::plan_comparison& c);

// A level of a store (plan A) compared with a plan given as GeoJSON text (plan B; codes from
// `code_field`, "" = detected, cut to `dissolve_prefix` characters when > 0), the store's finer
// units and people counting. For the server: the text never touches the file system.
plan_comparison_summary compare_with_geojson(const std::string& store, level lvl, const std::string& geojson,
                                             const std::string& code_field, int dissolve_prefix, unsigned threads);
// One row per match: a, b, shared people, shared km², IoU.
std::string plan_comparison_csv(const design::plan_comparison& c);

struct assignment_export_options {
    std::string store;
    level lvl = level::circuit;
    polygon_source plan;   // a store or a polygon source
    polygon_source finer;  // default: the store's parishes
    std::string out;       // CSV: finer_code, unit_code, share_pct, units
    std::string analysis_crs = "EPSG:32717";
    double min_piece_share = 0.01;  // pieces below this share of a finer unit are slivers
    unsigned threads = 0;
};

struct assignment_row {
    std::string finer, unit;
    double share = 0;       // of the finer unit's area in `unit`
    std::size_t units = 0;  // units holding more than min_piece_share of it
};

struct assignment_export_summary {
    std::vector<assignment_row> rows;  // finer order
    std::size_t split = 0, unassigned = 0;
    findings report;  // split and unassigned finer units
};

assignment_export_summary export_assignment(const assignment_export_options& options);

struct assignment_build_options {
    std::string assignment;                 // CSV or any GDAL table: finer code -> unit code
    std::string finer_column, unit_column;  // "" = the first two columns
    polygon_source finer;                   // the finer polygons (their codes as in the file, or remapped)
    polygon_source remap_from;              // "" = none; else the older finer polygons the file's codes are of
    double ambiguous_share = 0.9;           // a remapped finer unit is ambiguous when its largest share is below
    level lvl = level::circuit;
    std::string out;  // the units (.gpkg, .geojson, .fgb, .shp)
    std::string analysis_crs = "EPSG:32717";
    unsigned threads = 0;
};

struct assignment_build_summary {
    std::size_t units = 0, finer_units = 0, assigned = 0;
    std::vector<std::string> unknown_codes;  // in the file, not among the finer units
    std::vector<std::string> unassigned;     // finer units the file leaves out
    findings report;
};

assignment_build_summary build_from_assignment(const assignment_build_options& options);

}  // namespace microplan::geo::usecases
