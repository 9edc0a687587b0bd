#pragma once
// `microplan design evaluate`: judge any districting plan (design/evaluate.hpp) - a level of a
// planning store, or any GDAL polygon source (a province's proposal, official circuits given
// as subcircuits and dissolved by code prefix) - against a target population, its parents and
// the finer units it is made of. The store, when given, supplies what the options leave out:
// its level `lvl` as the plan, the level above as parents, its parishes as finer units and the
// people of both. Sources read from files replace the store's.
//
// Reads on the calling thread; computation runs on `criteria.validation.threads` workers.
// Deterministic for its inputs.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "microplan/geo/design/evaluate.hpp"
#include "microplan/geo/model/level.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::usecases {

// A polygon source read with GDAL.
struct polygon_source {
    std::string path;  // "" = not given
    std::string layer, code_field, name_field, parent_field;
    // Unit code = the first N characters of the code field, features of one code dissolved
    // (subcircuits 09D03C03S01 -> circuits 09D03C03); 0 = codes as they are.
    int dissolve_prefix = 0;
};

struct plan_evaluation_options {
    std::string store;  // a planning store ("" = none)
    level lvl = level::circuit;
    std::optional<int> year;            // people of this year (default: the store's base year)
    polygon_source plan;                // instead of the store's level
    std::string plan_population_field;  // people of the plan's units from this field of `plan`
    polygon_source finer;               // instead of the store's parishes
    std::string finer_population, finer_population_code, finer_population_field;  // a table, or
                                                                                  // a field of `finer`
    polygon_source parents;  // instead of the store's level above `lvl`
    // Travel-time compactness (access/unit_travel.hpp): a friction raster (minutes per cell, as
    // `access friction` writes) and a people raster; "" = not checked.
    std::string friction, people_raster;
    bool knight = false;  // 16 neighbours instead of 8
    // The units' seats (district offices): points, or a table of lon / lat, with the unit's code;
    // "" = each unit's best-placed cell (so are units without a seat).
    std::string seats, seats_code_field = "code", seats_x = "lon", seats_y = "lat";
    design::evaluation_criteria criteria;
};

struct plan_evaluation_summary {
    design::plan_evaluation evaluation;
    std::string plan_label;  // "circuits of ecuador.sqlite", "guayaquil.geojson (dissolved by 8 characters)"
    std::string finer_label, parents_label, population_label;
    level lvl = level::circuit;
    findings reading;  // what reading the sources reported
    double seconds = 0;
};

// `options.plan.path` may name a planning store: its level `lvl` is then the plan.
plan_evaluation_summary evaluate_plan(const plan_evaluation_options& options);

// The evaluation as JSON: criteria, summary, units, splits, problems.
nlohmann::json plan_evaluation_json(const plan_evaluation_summary& s, const design::evaluation_criteria& criteria);
// One row per unit: code, name, parent, people, deviation %, measures, parts, contiguity,
// share in its parent, finer units, failed criteria.
std::string plan_evaluation_csv(const design::plan_evaluation& e);

}  // namespace microplan::geo::usecases
