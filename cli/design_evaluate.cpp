// `microplan design evaluate`: judge a districting plan (a store level or any GDAL polygon
// source) criterion by criterion; exit 1 when a criterion fails. The work is in
// geo/usecases/plan_evaluation.hpp.
#include <cmath>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/plan_evaluation.hpp"

namespace microplan::cli {

namespace {

void print_text(const geo::usecases::plan_evaluation_summary& s) {
    const auto& e = s.evaluation;
    std::printf("plan: %s (%zu %s)\n", s.plan_label.c_str(), e.units.size(),
                std::string(geo::level_table(s.lvl)).c_str());
    if (!s.parents_label.empty()) std::printf("parents: %s\n", s.parents_label.c_str());
    if (!s.finer_label.empty()) std::printf("finer units: %s\n", s.finer_label.c_str());
    if (!s.population_label.empty())
        std::printf("people: %s (%.0f in all)\n", s.population_label.c_str(), e.population);
    for (const auto& c : e.criteria)
        std::printf("  %-13s %-11s %s\n", c.name.c_str(), std::string(geo::design::verdict_name(c.result)).c_str(),
                    c.reason.c_str());
    if (!std::isnan(e.mean_abs_deviation))
        std::printf("mean |deviation| %.2f %%, largest %.2f %%\n", e.mean_abs_deviation * 100,
                    e.max_abs_deviation * 100);
    std::printf("%s in %.2f s\n", e.passes() ? "the plan passes every criterion checked" : "the plan fails", s.seconds);
}

}  // namespace

command add_design_evaluate(CLI::App& app) {
    struct args {
        std::string level = "circuit", json, csv;
        bool print_json = false;
        geo::usecases::plan_evaluation_options o;
    };
    auto a = std::make_shared<args>();
    auto& o = a->o;
    app.add_option("plan", o.plan.path, "The plan: a planning store (its --level is judged) or any GDAL polygon source")
        ->required();
    app.add_option("--store,-s", o.store,
                   "A planning store supplying what is not given: parents (the level above), finer units (its "
                   "parishes) and people");
    app.add_option("--level", a->level, "Level of the plan: circuit, district or zone")
        ->check(CLI::IsMember({"zone", "district", "circuit"}))
        ->default_val("circuit");
    add_polygon_source_options(app, "", o.plan, "the plan");
    app.add_option("--parent-field", o.plan.parent_field, "Parent code field of the plan (default: detected)");
    app.add_option("--population-field", o.plan_population_field, "People of each plan unit (a field of the plan)");
    app.add_option("--units", o.finer.path, "Finer units the plan is made of (parishes): any GDAL polygon source");
    add_polygon_source_options(app, "units-", o.finer, "--units");
    app.add_option("--units-population", o.finer_population, "Table of people per finer unit (CSV or any GDAL table)");
    app.add_option("--units-population-code-field", o.finer_population_code, "Code field of --units-population");
    app.add_option("--units-population-field", o.finer_population_field,
                   "People field of --units-population (or of --units itself)");
    app.add_option("--parents", o.parents.path, "Parent units (the level above): any GDAL polygon source");
    add_polygon_source_options(app, "parents-", o.parents, "--parents");
    app.add_option("--year", o.year, "Population year of the store (default: the latest)");
    auto& c = o.criteria;
    app.add_option("--target", c.target, "People per unit the plan aims at (0: no population criterion)")
        ->check(within(0, 1e10, "a unit holds at most the world's population"))
        ->default_val(0);
    app.add_option("--tolerance", c.tolerance, "Allowed deviation from the target, as a share (0.05 = 5 %)")
        ->check(within(0, 1, "a share of the target"))
        ->default_val(0.05);
    app.add_option("--min-polsby-popper", c.min_polsby_popper, "Smallest Polsby-Popper (4πA/P²) allowed")
        ->check(within(0, 1, "a ratio between 0 and 1"))
        ->default_val(0.05);
    app.add_option("--min-reock", c.min_reock, "Smallest Reock ratio (area / smallest enclosing circle) allowed")
        ->check(within(0, 1, "a ratio between 0 and 1"))
        ->default_val(0.15);
    app.add_option("--min-convex-hull", c.min_convex_hull, "Smallest convex hull ratio (area / hull area) allowed")
        ->check(within(0, 1, "a ratio between 0 and 1"))
        ->default_val(0.45);
    app.add_option("--sliver-km2", c.validation.sliver_km2, "Ignore gaps, overlaps and pieces smaller than this (km²)")
        ->check(within(0, 1e4, "a sliver larger than 10,000 km² is a region, not a sliver"))
        ->default_val(0.05);
    app.add_option("--nesting-share", c.validation.nesting_share, "Share of a unit's area that must lie in its parent")
        ->check(within(0, 1, "a share of an area lies between 0 and 1"))
        ->default_val(0.98);
    app.add_option("--crs", c.validation.analysis_crs, "Analysis CRS without a store (with one: the store's)")
        ->default_val("EPSG:32717");
    app.add_option("--friction", o.friction,
                   "Friction raster (minutes to cross each cell, as `microplan access friction` writes): with "
                   "--raster, the people-weighted minutes from each unit's people to its best-placed seat")
        ->check(CLI::ExistingFile);
    app.add_option("--raster", o.people_raster, "People raster for the travel-time criterion (LandScan, WorldPop)")
        ->check(CLI::ExistingFile);
    app.add_flag("--knight", o.knight, "Travel with 16 neighbours (knight's moves) instead of 8");
    app.add_option("--seats", o.seats,
                   "The units' seats for the travel-time criterion (district offices): points, or a table of lon / "
                   "lat, with the unit's code (default: each unit's best-placed cell)")
        ->check(CLI::ExistingFile);
    app.add_option("--seats-code-field", o.seats_code_field, "Unit code field of --seats")->capture_default_str();
    app.add_option("--seats-x", o.seats_x, "Longitude field of a --seats table")->capture_default_str();
    app.add_option("--seats-y", o.seats_y, "Latitude field of a --seats table")->capture_default_str();
    app.add_option("--max-mean-minutes", c.max_mean_minutes,
                   "Largest people-weighted mean minutes to the unit's seat (travel_time criterion)")
        ->check(within(0, 24 * 60, "minutes within a day"))
        ->default_val(60);
    app.add_option("--json", a->json, "Write the evaluation as JSON to this file ('-': standard output)");
    app.add_option("--csv", a->csv, "Write one row per unit as CSV to this file");
    app.add_option("--threads", c.validation.threads, "Worker threads (default: all cores)")
        ->check(within(thread_count));
    return [a] {
        a->o.lvl = *geo::parse_level(a->level);
        geo::usecases::plan_evaluation_summary s = geo::usecases::evaluate_plan(a->o);
        print_findings(s.reading, 5);
        if (a->json == "-") {
            std::printf("%s\n", geo::usecases::plan_evaluation_json(s, a->o.criteria).dump(2).c_str());
        } else {
            print_text(s);
            if (!a->json.empty())
                write_report_file(a->json, geo::usecases::plan_evaluation_json(s, a->o.criteria).dump(2));
        }
        if (!a->csv.empty()) write_report_file(a->csv, geo::usecases::plan_evaluation_csv(s.evaluation));
        return s.evaluation.passes() ? 0 : 1;
    };
}

}  // namespace microplan::cli
