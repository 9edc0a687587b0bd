// `microplan design compare` and `microplan design assignment export|build`: two plans side
// by side, and plans as "finer unit code -> unit code" files. The work is in
// geo/usecases/plan_comparison.hpp.
#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/plan_comparison.hpp"

namespace microplan::cli {

namespace {

void add_level_option(CLI::App& app, std::string& level) {
    app.add_option("--level", level, "Level of the plans: circuit, district or zone")
        ->check(CLI::IsMember({"zone", "district", "circuit"}))
        ->default_val("circuit");
}

}  // namespace

command add_design_compare(CLI::App& app) {
    struct args {
        std::string level = "circuit", json, csv;
        geo::usecases::plan_comparison_options o;
    };
    auto a = std::make_shared<args>();
    auto& o = a->o;
    app.add_option("a", o.a.path, "Plan A, the reference: a planning store (its --level) or any GDAL polygon source")
        ->required();
    app.add_option("b", o.b.path, "Plan B: a planning store (its --level) or any GDAL polygon source")->required();
    add_level_option(app, a->level);
    add_polygon_source_options(app, "a-", o.a, "plan A");
    add_polygon_source_options(app, "b-", o.b, "plan B");
    app.add_option("--store,-s", o.store, "A planning store supplying finer units (its parishes) and people");
    app.add_option("--units", o.finer.path, "Finer units whose people are counted (parishes): any polygon source");
    app.add_option("--units-code-field", o.finer.code_field, "Code field of --units (default: detected)");
    app.add_option("--units-population", o.finer_population, "Table of people per finer unit");
    app.add_option("--units-population-code-field", o.finer_population_code, "Code field of --units-population");
    app.add_option("--units-population-field", o.finer_population_field,
                   "People field of --units-population (or of --units itself)");
    app.add_option("--changed", o.changed_out,
                   "Write the changed areas (A unit, B unit, people, km²) as a vector file (.gpkg, .geojson, ...)");
    app.add_option("--json", a->json, "Write the comparison as JSON to this file ('-': standard output)");
    app.add_option("--csv", a->csv, "Write the matched units as CSV to this file");
    app.add_option("--crs", o.analysis_crs, "Analysis CRS")->default_val("EPSG:32717");
    app.add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(within(thread_count));
    return [a] {
        a->o.lvl = *geo::parse_level(a->level);
        geo::usecases::plan_comparison_summary s = geo::usecases::compare_plans(a->o);
        print_findings(s.reading, 5);
        nlohmann::json j = geo::usecases::plan_comparison_json(s);
        if (a->json == "-") {
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            const auto& sum = j["summary"];
            std::printf("A: %s (%zu units; %zu outside B left out)\nB: %s (%zu units; %zu outside A left out)\n",
                        s.a_label.c_str(), s.comparison.a_units, s.a_outside, s.b_label.c_str(), s.comparison.b_units,
                        s.b_outside);
            if (!s.population_label.empty()) std::printf("people: %s\n", s.population_label.c_str());
            std::printf(
                "%s units matched (%s identical); %s of %s people change unit (%s %%); %zu finer units change; "
                "variation of information %.3f bits; %.2f s\n",
                sum["matched"].dump().c_str(), sum["identical_units"].dump().c_str(),
                sum["people_moved"].dump().c_str(), sum["people"].dump().c_str(),
                sum["people_moved_pct"].dump().c_str(), s.comparison.changed.size(),
                s.comparison.variation_of_information, s.seconds);
            if (!a->json.empty()) write_report_file(a->json, j.dump(2));
        }
        if (!a->csv.empty()) write_report_file(a->csv, geo::usecases::plan_comparison_csv(s.comparison));
        return 0;
    };
}

command add_design_assignment_export(CLI::App& app) {
    struct args {
        std::string level = "circuit";
        geo::usecases::assignment_export_options o;
    };
    auto a = std::make_shared<args>();
    auto& o = a->o;
    app.add_option("plan", o.plan.path, "The plan: a planning store (its --level) or any GDAL polygon source")
        ->required();
    add_level_option(app, a->level);
    add_polygon_source_options(app, "", o.plan, "the plan");
    app.add_option("--store,-s", o.store, "A planning store supplying the finer units (its parishes)");
    app.add_option("--units", o.finer.path, "Finer units (parishes): any GDAL polygon source");
    app.add_option("--units-code-field", o.finer.code_field, "Code field of --units (default: detected)");
    app.add_option("--out,-o", o.out, "The assignment (CSV: finer_code, unit_code, share_pct, units)")->required();
    app.add_option("--crs", o.analysis_crs, "Analysis CRS")->default_val("EPSG:32717");
    app.add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(within(thread_count));
    return [a] {
        a->o.lvl = *geo::parse_level(a->level);
        geo::usecases::assignment_export_summary s = geo::usecases::export_assignment(a->o);
        print_findings(s.report, 5);
        std::printf(
            "assigned %zu finer units (%zu split between units, given whole to the largest piece; %zu in no "
            "unit); wrote %s\n",
            s.rows.size(), s.split, s.unassigned, a->o.out.c_str());
        return 0;
    };
}

command add_design_assignment_build(CLI::App& app) {
    struct args {
        std::string level = "circuit";
        geo::usecases::assignment_build_options o;
    };
    auto a = std::make_shared<args>();
    auto& o = a->o;
    app.add_option("assignment", o.assignment, "The assignment (CSV or any GDAL table): finer unit code, unit code")
        ->required();
    add_level_option(app, a->level);
    app.add_option("--finer-column", o.finer_column, "Column of the finer unit codes (default: the first)");
    app.add_option("--unit-column", o.unit_column, "Column of the unit codes (default: the second)");
    app.add_option("--units", o.finer.path, "The finer polygons (parishes): any GDAL polygon source")->required();
    app.add_option("--units-code-field", o.finer.code_field, "Code field of --units (default: detected)");
    app.add_option("--remap-from", o.remap_from.path,
                   "The older finer polygons the assignment's codes are of: each finer unit of --units takes the "
                   "unit of the older one holding most of it");
    app.add_option("--remap-code-field", o.remap_from.code_field, "Code field of --remap-from (default: detected)");
    app.add_option("--ambiguous-share", o.ambiguous_share,
                   "A remapped finer unit is reported when the older unit holding most of it holds less than this")
        ->check(within(0, 1, "a share of an area"))
        ->default_val(0.9);
    app.add_option("--out,-o", o.out, "The units built (.gpkg, .geojson, .fgb or .shp)")->required();
    app.add_option("--crs", o.analysis_crs, "Analysis CRS")->default_val("EPSG:32717");
    app.add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(within(thread_count));
    return [a] {
        a->o.lvl = *geo::parse_level(a->level);
        geo::usecases::assignment_build_summary s = geo::usecases::build_from_assignment(a->o);
        print_findings(s.report, 10);
        std::printf(
            "built %zu %s from %zu of %zu finer units (%zu codes of the file match none, %zu finer units "
            "unassigned); wrote %s\n",
            s.units, std::string(geo::level_table(a->o.lvl)).c_str(), s.assigned, s.finer_units, s.unknown_codes.size(),
            s.unassigned.size(), a->o.out.c_str());
        return s.unknown_codes.empty() && s.unassigned.empty() ? 0 : 1;
    };
}

}  // namespace microplan::cli
