// `microplan population table | raster | allocate | project`.
#include "microplan/geo/usecases/population.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace microplan::cli {

namespace usecases = geo::usecases;

namespace {

// "LABEL=FIELD" of --band.
std::pair<std::string, std::string> band_option(const std::string& b) {
    auto eq = b.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == b.size())
        throw geo::format_error({}, "bad --band", "'" + b + "': write LABEL=FIELD, e.g. 65+=pob_65_mas");
    return {b.substr(0, eq), b.substr(eq + 1)};
}

}  // namespace

command add_population_table(CLI::App& app) {
    auto o = std::make_shared<geo::population_table_options>();
    auto store = std::make_shared<std::string>();
    auto lvl = std::make_shared<std::string>();
    auto bands = std::make_shared<std::vector<std::string>>();
    auto json = std::make_shared<bool>(false);
    auto policy = std::make_shared<geo::usecases::shrink_policy>(geo::usecases::shrink_policy::refuse);
    app.add_option("source", o->path, "Table of population by unit code (CSV, spreadsheet, any GDAL layer)")
        ->required();
    app.add_option("--store,-s", *store, "Planning store")->required();
    app.add_option("--level,-l", *lvl, "Level the codes belong to")->required()->check(level_names);
    app.add_option("--year", o->year, "Year of the figures")->required()->check(within(geo::bounds::year));
    app.add_option("--layer", o->layer, "Layer/sheet to read (default: the only one; required when there are several)");
    app.add_option("--code-field", o->code_field, "Field with the unit code (default: detected by code shape)");
    app.add_option("--value-field", o->value_field, "Field with the total population (default: detected)");
    app.add_option("--band", *bands, "Age band and its field, e.g. --band 0-3=pob_0_3 (repeatable)");
    add_replace_flag(app, *policy);
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        o->lvl = level_option(*lvl);
        for (const auto& b : *bands) o->bands.push_back(band_option(b));
        usecases::population_table_import r = usecases::import_population_table(*store, *o, *policy);
        const double total = usecases::population_total(r.values);
        if (*json) {
            nlohmann::json j{{"store", *store},
                             {"level", geo::level_name(o->lvl)},
                             {"year", o->year},
                             {"rows", r.rows},
                             {"matched", r.matched},
                             {"total", total},
                             {"code_field", r.code_field},
                             {"value_field", r.value_field},
                             {"unmatched_codes", r.unmatched_codes},
                             {"units_missing", r.units_missing},
                             {"replaced", replacement_json(r.replaced)},
                             {"findings", r.report.items}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_findings(r.report, 30);
            std::printf(
                "%zu of %zu rows matched a %s (code=%s, population=%s): %.0f people in %d; %zu table code(s) "
                "without a unit, %zu unit(s) without a row; %.2f s\n",
                r.matched, r.rows, std::string(geo::level_name(o->lvl)).c_str(), r.code_field.c_str(),
                r.value_field.c_str(), total, o->year, r.unmatched_codes.size(), r.units_missing.size(),
                seconds_since(t0));
            print_replacement(r.replaced);
        }
        return 0;
    };
}

command add_population_raster(CLI::App& app) {
    auto request = std::make_shared<usecases::raster_sum_request>();
    auto lvls = std::make_shared<std::vector<std::string>>();
    auto json = std::make_shared<bool>(false);
    app.add_option("rasters", request->rasters,
                   "Population raster(s), any GDAL format and CRS; several are summed (mainland + islands)")
        ->required();
    app.add_option("--store,-s", request->store, "Planning store")->required();
    app.add_option("--year", request->year, "Year of the raster")->required()->check(within(geo::bounds::year));
    app.add_option("--level,-l", *lvls, "Level(s) to sum over (default: every level in the store)")->check(level_names);
    app.add_option("--threads", request->threads, "Worker threads (default: all cores)")->check(within(thread_count));
    app.add_flag("--json", *json, "Print the totals as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        for (const auto& l : *lvls) request->levels.push_back(level_option(l));
        request->on_progress = progress_on_stderr();
        usecases::raster_sum_result r = usecases::import_population_rasters(*request);
        if (*json) {
            nlohmann::json totals = nlohmann::json::object();
            for (const auto& l : r.levels) totals[std::string(geo::level_name(l.lvl))] = l.total;
            nlohmann::json j{{"store", request->store},
                             {"year", request->year},
                             {"totals", totals},
                             {"raster_window_total", r.raster_window_total}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            for (const auto& l : r.levels) print_findings(l.report, 10);
            std::printf("summed %zu raster(s) over %zu level(s) in %.2f s\n", request->rasters.size(), r.levels.size(),
                        seconds_since(t0));
        }
        return 0;
    };
}

command add_population_allocate(CLI::App& app) {
    auto request = std::make_shared<usecases::allocation_request>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    auto method = std::make_shared<std::string>("area");
    auto json = std::make_shared<bool>(false);
    app.add_option("--store,-s", request->store, "Planning store")->required();
    app.add_option("--from", *from, "Level whose population is known (e.g. parish)")->required()->check(level_names);
    app.add_option("--to", *to, "Level to allocate it to (e.g. circuit)")->required()->check(level_names);
    app.add_option("--year", request->year, "Year of the source figures (default: the latest stored)")
        ->check(within(geo::bounds::year));
    app.add_option("--method", *method, "area (area-weighted) or dasymetric (weighted by --raster population)")
        ->check(CLI::IsMember({"area", "dasymetric"}))
        ->default_val("area");
    app.add_option("--raster", request->options.rasters, "Population raster(s) for dasymetric weights");
    app.add_option("--threads", request->options.threads, "Worker threads (default: all cores)")
        ->check(within(thread_count));
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        request->from = level_option(*from), request->to = level_option(*to);
        request->options.method =
            *method == "dasymetric" ? geo::allocation_method::dasymetric : geo::allocation_method::area;
        usecases::allocation_summary s = usecases::allocate_stored_population(*request);
        const geo::allocation_result& r = s.result;
        if (*json) {
            std::printf("%s\n", nlohmann::json{{"store", request->store},
                                               {"year", s.year},
                                               {"method", *method},
                                               {"source_total", r.source_total},
                                               {"allocated_total", r.allocated_total},
                                               {"pieces", r.pieces},
                                               {"findings", r.report.items}}
                                    .dump(2)
                                    .c_str());
        } else {
            print_findings(r.report, 20);
            std::printf("allocated %.0f of %.0f people from %s to %zu %s (%s, %zu pieces) in %.2f s\n",
                        r.allocated_total, r.source_total, std::string(geo::level_table(request->from)).c_str(),
                        s.target_units, std::string(geo::level_table(request->to)).c_str(), method->c_str(), r.pieces,
                        seconds_since(t0));
        }
        return 0;
    };
}

command add_population_project(CLI::App& app) {
    auto request = std::make_shared<usecases::projection_request>();
    auto lvl = std::make_shared<std::string>();
    app.add_option("--store,-s", request->store, "Planning store (SpatiaLite) with cantons and provinces")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--projections,-p", request->projections,
                   "Cantonal projections: provincia, canton and one column per year (INEC's "
                   "proyecciones_cantonales_2010_2035.csv)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--level,-l", *lvl, "Level whose population is projected (default: every level with population)")
        ->check(level_names);
    app.add_option("--from-year", request->from_year,
                   "Base year (default: the store's latest year that is not a projection)")
        ->check(within(geo::bounds::year));
    app.add_option("--until", request->until, "Last year to write")
        ->check(within(geo::bounds::year))
        ->default_val(2035);
    return [request, lvl] {
        auto t0 = clock_type::now();
        if (!lvl->empty()) request->lvl = level_option(*lvl);
        usecases::projection_result r = usecases::project_stored_population(*request);
        print_findings(r.report, 5);
        for (const auto& [l, years] : r.levels)
            if (!years.empty())
                std::printf("%s: population projected from %d to %d-%d (total %.0f -> %.0f)\n",
                            std::string(geo::level_table(l)).c_str(), r.base_year, years.begin()->first,
                            years.rbegin()->first, usecases::population_total(years.begin()->second),
                            usecases::population_total(years.rbegin()->second));
        std::fprintf(stderr, "done in %.2f s\n", seconds_since(t0));
        return 0;
    };
}

}  // namespace microplan::cli
