// microplan design / build-ecuador: population-balanced units from finer units, and the
// national base of zones, districts and circuits from the real data. Flags here; the work is
// in geo/usecases/design.hpp.
#include "microplan/geo/usecases/design.hpp"

#include <cmath>

#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

command add_design(CLI::App& app) {
    struct args {
        std::string crs = "EPSG:32717", level = "circuit";
        geo::usecases::design_units_options o;
    };
    auto a = std::make_shared<args>();
    auto& o = a->o;
    // Not marked required so that `design evaluate ...` parses; checked when designing.
    app.add_option("--units", o.units,
                   "Finer units to design from (parishes, census zones): any GDAL polygon source; "
                   "required");
    app.add_option("--layer", o.layer,
                   "Layer of --units (default: the only polygon layer; required when there are several)");
    app.add_option("--code-field", o.code_field, "Code field of --units (default: detected)");
    app.add_option("--name-field", o.name_field, "Name field of --units (default: detected)");
    app.add_option("--population", o.population,
                   "Table of people per finer unit (CSV or any GDAL table); without it the rasters are summed");
    app.add_option("--population-code-field", o.population_code, "Code field of --population (default: detected)");
    app.add_option("--population-field", o.population_field, "People field of --population (default: detected)");
    app.add_option("--raster", o.rasters, "Population raster(s): weights for splitting finer units (repeatable)");
    auto digits = app.add_option("--parent-digits", o.parent_digits,
                                 "Parent = the first N characters of the finer unit's code (4: parish -> canton)")
                      ->check(within(1, 16, "codes have at most 16 characters"));
    auto parents = app.add_option("--parents", o.parents,
                                  "Parent polygons (any GDAL source); finer units go to "
                                  "the parent holding their interior point");
    app.add_option("--parents-code-field", o.parents_code, "Code field of --parents (default: detected)");
    digits->excludes(parents);
    app.add_option("--level", a->level, "Level designed: circuit or district")
        ->check(CLI::IsMember({"circuit", "district"}))
        ->default_val("circuit");
    auto target = app.add_option("--target", o.design.target,
                                 "People per designed unit (circuits ~11,000, districts ~90,000); required")
                      ->check(within(1, 1e10, "a unit holds at least one person and at most the world's population"));
    app.add_option("--tolerance", o.design.tolerance, "Allowed deviation from the target, as a share (0.05 = 5 %)")
        ->default_val(0.05)
        ->check(within(0, 1, "a share of the target"));
    app.add_option("--seed", o.design.seed, "Random seed: the same seed and inputs give the same design")
        ->default_val(1);
    app.add_option("--rounds", o.design.rounds, "Improvement rounds (Lloyd) after the first growth")
        ->check(within(0, 1000, "each round costs a full pass; a thousand rounds never improve more"))
        ->default_val(8);
    app.add_option("--out,-o", o.out, "Designed units (.gpkg, .geojson, .fgb or .shp); required");
    app.add_option("--report", o.report, "Per-unit report (CSV): population, deviation, Polsby-Popper, splits");
    app.add_option("--friction", o.friction,
                   "Friction raster (minutes per cell, as `microplan access friction` writes): units grow along "
                   "travel time instead of straight-line distance (`design evaluate --friction` reports the minutes)")
        ->check(CLI::ExistingFile);
    app.add_flag("--knight", o.knight, "With --friction: 16 neighbours (knight's moves) instead of 8");
    app.add_option("--crs", a->crs, "Analysis CRS for distances and areas")->default_val("EPSG:32717");
    app.add_option("--threads", o.design.threads, "Worker threads (default: all cores)")->check(within(thread_count));
    return [a, target] {
        auto t0 = clock_type::now();
        auto& options = a->o;
        if (options.units.empty() || options.out.empty() || target->count() == 0)
            throw geo::format_error({}, "missing option", "design needs --units, --target and --out");
        options.design.analysis_crs = a->crs;
        options.design.lvl = *geo::parse_level(a->level);
        options.design.code_infix = options.design.lvl == geo::level::circuit ? "C" : "D";
        geo::usecases::design_units_summary s = geo::usecases::design_units_to_file(options);
        print_findings(s.report, 10);
        double worst = 0;
        for (const auto& r : s.result.report) worst = std::max(worst, std::abs(r.deviation));
        std::printf(
            "designed %zu %ss from %zu finer units (%zu split into %zu pieces) in %.2f s (total %.2f s); "
            "largest deviation %.1f %%; wrote %s\n",
            s.result.units.units.size(), a->level.c_str(), s.finer_units, s.result.split_units, s.result.pieces,
            s.design_seconds, seconds_since(t0), worst * 100, options.out.c_str());
        return 0;
    };
}

command add_build_ecuador(CLI::App& app) {
    struct args {
        std::string crs = "EPSG:32717";
        geo::usecases::build_ecuador_options o;
    };
    auto a = std::make_shared<args>();
    auto& o = a->o;
    o.legal_zones = MICROPLAN_DATA_DIR "/ecuador/legal_zones.csv";
    o.standards = {MICROPLAN_DATA_DIR "/standards/ecuador_education.csv",
                   MICROPLAN_DATA_DIR "/standards/ecuador_health.csv"};
    o.budget_scenarios = MICROPLAN_DATA_DIR "/budget_scenarios/ecuador.csv";
    app.add_option("--data", o.data_dir, "The Ecuador data folder (../shared/data/ecuador layout, see its README)")
        ->required()
        ->check(CLI::ExistingDirectory);
    app.add_option("--out,-o", o.out, "Planning store to write (replaced atomically)")->required();
    app.add_option("--report", o.report,
                   "Validation report (JSON): every defect met and its resolution, per-unit design figures, official "
                   "circuits compared (default: <store>_report.json)");
    app.add_option("--units-csv", o.units_csv, "Per-unit figures as CSV (default: <store>_units.csv)");
    app.add_option("--legal-zones", o.legal_zones,
                   "The legal zoning: the zone of each province, or canton where the law splits a province (CSV: "
                   "level, code, name, zone, source; '' for none)");
    app.add_option("--standards", o.standards,
                   "Standards catalogues put in force together (default: data/standards/ecuador_education.csv and "
                   "ecuador_health.csv)");
    app.add_option("--budget-scenarios", o.budget_scenarios,
                   "Budget scenarios put in force with the standards (default: data/budget_scenarios/ecuador.csv; '' "
                   "for none)");
    app.add_option("--seed", o.national.seed, "Random seed of the design")->default_val(1);
    app.add_option("--crs", a->crs, "Analysis CRS")->default_val("EPSG:32717");
    app.add_option("--threads", o.national.threads, "Worker threads (default: all cores)")->check(within(thread_count));
    o.road_speeds_dir = MICROPLAN_DATA_DIR "/access";
    app.add_option("--road-speeds-dir", o.road_speeds_dir,
                   "Folder of the road speed tables of the travel times (ecuador_igm_road_speeds_dry.csv, "
                   "..._rainy.csv); '' for no travel times")
        ->capture_default_str();
    app.add_option("--friction-out", o.friction_out,
                   "Also write each season's friction surface (minutes per cell, flat ground) to "
                   "PREFIX_travel_time.tif and PREFIX_travel_time_rainy.tif, for design --friction and "
                   "design evaluate --friction, and the whole surface (with elevation) to PREFIX_*_surface.tif, "
                   "which the runs keep for live travel time in scenarios");
    return [a] {
        auto t0 = clock_type::now();
        auto& options = a->o;
        options.national.analysis_crs = a->crs;
        options.command_line =
            "microplan build-ecuador --data " + options.data_dir + " --seed " + std::to_string(options.national.seed);
        options.missing_optional = [](const std::string& path, const std::string& what) {
            std::fprintf(stderr, "microplan: file '%s': not found: building without %s\n", path.c_str(), what.c_str());
        };
        options.on_progress = progress_on_stderr();
        geo::usecases::build_ecuador_summary s = geo::usecases::build_ecuador(options);
        const geo::design::national_result& r = s.result;
        for (const auto& [name, sec] : r.stages) std::fprintf(stderr, "  %-55s %6.2f s\n", name.c_str(), sec);
        print_findings(r.report, 5);
        std::printf(
            "built %zu zones, %zu districts, %zu circuits (%zu parishes split into %zu pieces; design %.2f s, "
            "total %.2f s); %zu error(s), %zu warning(s); against the official circuits the designed ones "
            "overlap a best match by IoU %.2f on average, their districts by %.2f; report %s, units %s\n",
            r.zones.units.size(), r.districts.units.size(), r.circuits.units.size(), r.split_parishes, r.pieces,
            r.design_seconds, seconds_since(t0), r.report.count(geo::severity::error),
            r.report.count(geo::severity::warning), s.mean_best_iou, s.mean_district_iou, s.report_path.c_str(),
            s.csv_path.c_str());
        return r.report.has_errors() ? 1 : 0;
    };
}

}  // namespace microplan::cli
