// `microplan population table | raster | allocate`.
#include "microplan/geo/population/population.hpp"

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/population/projection.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/locate.hpp"

namespace microplan::cli {

namespace {

double total_of(const geo::population_values& v) {
    auto it = v.find(geo::total_band);
    if (it == v.end()) return 0;
    double t = 0;
    for (const auto& [code, value] : it->second) t += value;
    return t;
}

}  // namespace

command add_population_table(CLI::App& app) {
    auto o = std::make_shared<geo::population_table_options>();
    auto store = std::make_shared<std::string>();
    auto lvl = std::make_shared<std::string>();
    auto bands = std::make_shared<std::vector<std::string>>();
    auto json = std::make_shared<bool>(false);
    app.add_option("source", o->path, "Table of population by unit code (CSV, spreadsheet, any GDAL layer)")
        ->required();
    app.add_option("--store,-s", *store, "Planning store")->required();
    app.add_option("--level,-l", *lvl, "Level the codes belong to")->required()->check(level_names);
    app.add_option("--year", o->year, "Year of the figures")->required();
    app.add_option("--layer", o->layer, "Layer/sheet to read (default: the first)");
    app.add_option("--code-field", o->code_field, "Field with the unit code (default: detected by code shape)");
    app.add_option("--value-field", o->value_field, "Field with the total population (default: detected)");
    app.add_option("--band", *bands, "Age band and its field, e.g. --band 0-3=pob_0_3 (repeatable)");
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        o->lvl = level_option(*lvl);
        for (const auto& b : *bands) {
            auto eq = b.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == b.size())
                throw geo::format_error({}, "bad --band", "'" + b + "': write LABEL=FIELD, e.g. 65+=pob_65_mas");
            o->bands.emplace_back(b.substr(0, eq), b.substr(eq + 1));
        }
        geo::unit_layer units;
        {
            auto db_store = geo::store::open_store(*store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
            units = db.read_level(o->lvl);
        }
        if (units.units.empty())
            throw geo::store_error(
                {*store, {}, {}, {}, {}}, "no units",
                "the store holds no " + std::string(geo::level_table(o->lvl)) + " to join the table to");
        geo::population_table_result r = geo::read_population_table(*o, units);
        geo::store::import_record rec{o->lvl, o->path, "", "", "", "code=" + r.code_field + " value=" + r.value_field,
                                      0};
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            db.write_population({o->lvl, o->year, "table", o->path}, r.values, rec, r.report);
        });
        if (*json) {
            nlohmann::json j{{"store", *store},
                             {"level", geo::level_name(o->lvl)},
                             {"year", o->year},
                             {"rows", r.rows},
                             {"matched", r.matched},
                             {"total", total_of(r.values)},
                             {"code_field", r.code_field},
                             {"value_field", r.value_field},
                             {"unmatched_codes", r.unmatched_codes},
                             {"units_missing", r.units_missing},
                             {"findings", r.report.items}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_findings(r.report, 30);
            std::printf(
                "%zu of %zu rows matched a %s (code=%s, population=%s): %.0f people in %d; %zu table code(s) "
                "without a unit, %zu unit(s) without a row; %.2f s\n",
                r.matched, r.rows, std::string(geo::level_name(o->lvl)).c_str(), r.code_field.c_str(),
                r.value_field.c_str(), total_of(r.values), o->year, r.unmatched_codes.size(), r.units_missing.size(),
                seconds_since(t0));
        }
        return 0;
    };
}

command add_population_raster(CLI::App& app) {
    auto rasters = std::make_shared<std::vector<std::string>>();
    auto store = std::make_shared<std::string>();
    auto lvls = std::make_shared<std::vector<std::string>>();
    auto year = std::make_shared<int>(0);
    auto json = std::make_shared<bool>(false);
    auto threads = std::make_shared<unsigned>(0);
    app.add_option("rasters", *rasters,
                   "Population raster(s), any GDAL format and CRS; several are summed (mainland + islands)")
        ->required();
    app.add_option("--store,-s", *store, "Planning store")->required();
    app.add_option("--year", *year, "Year of the raster")->required();
    app.add_option("--level,-l", *lvls, "Level(s) to sum over (default: every level in the store)")->check(level_names);
    app.add_option("--threads", *threads, "Worker threads (default: all cores)");
    app.add_flag("--json", *json, "Print the totals as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        std::vector<geo::unit_layer> layers;
        {
            auto db_store = geo::store::open_store(*store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
            std::vector<geo::level> wanted;
            for (const auto& l : *lvls) wanted.push_back(level_option(l));
            if (wanted.empty()) wanted = db.levels_present();
            for (geo::level l : wanted) layers.push_back(db.read_level(l));
        }
        nlohmann::json totals = nlohmann::json::object();
        std::vector<std::pair<geo::population_values, geo::findings>> results;
        double raster_total = 0;
        for (const auto& layer : layers) {
            std::vector<const GEOSGeometry*> geoms;
            for (const auto& u : layer.units) geoms.push_back(u.geometry.get());
            geo::population_values values;
            auto& dest = values[geo::total_band];
            for (const auto& u : layer.units) dest[u.code] = 0;
            geo::findings report;
            raster_total = 0;
            for (const auto& path : *rasters) {
                geo::zonal_options zo;
                zo.threads = *threads;
                geo::zonal_result z = geo::zonal_sums(path, geoms, "EPSG:4326", zo);
                raster_total += z.window_total;
                for (std::size_t i = 0; i < layer.units.size(); ++i) {
                    dest[layer.units[i].code] += z.sums[i];
                    if (z.nodata_cells[i] > 0.5) {
                        geo::finding f;
                        f.sev = geo::severity::info;
                        f.rule = "population.nodata";
                        f.lvl = layer.lvl;
                        f.code = layer.units[i].code;
                        f.message = std::string(geo::level_name(layer.lvl)) + " " + layer.units[i].code + ": " +
                                    std::to_string(std::lround(z.nodata_cells[i])) + " cell(s) of " + path +
                                    " inside it are NoData (counted as 0)";
                        report.add(std::move(f));
                    }
                }
            }
            double t = total_of(values);
            totals[std::string(geo::level_name(layer.lvl))] = t;
            std::fprintf(stderr, "%s: %.0f people in %zu units\n", std::string(geo::level_table(layer.lvl)).c_str(), t,
                         layer.units.size());
            results.emplace_back(std::move(values), std::move(report));
        }
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            for (std::size_t i = 0; i < layers.size(); ++i) {
                geo::store::import_record rec{layers[i].lvl, join(*rasters), "", "raster", "", "", 0};
                db.write_population({layers[i].lvl, *year, "raster", join(*rasters)}, results[i].first,
                                             rec, results[i].second);
            }
        });
        if (*json) {
            std::printf(
                "%s\n",
                nlohmann::json{
                    {"store", *store}, {"year", *year}, {"totals", totals}, {"raster_window_total", raster_total}}
                    .dump(2)
                    .c_str());
        } else {
            for (const auto& r : results) print_findings(r.second, 10);
            std::printf("summed %zu raster(s) over %zu level(s) in %.2f s\n", rasters->size(), layers.size(),
                        seconds_since(t0));
        }
        return 0;
    };
}

command add_population_allocate(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    auto year = std::make_shared<int>(0);
    auto method = std::make_shared<std::string>("area");
    auto o = std::make_shared<geo::allocation_options>();
    auto json = std::make_shared<bool>(false);
    app.add_option("--store,-s", *store, "Planning store")->required();
    app.add_option("--from", *from, "Level whose population is known (e.g. parish)")->required()->check(level_names);
    app.add_option("--to", *to, "Level to allocate it to (e.g. circuit)")->required()->check(level_names);
    app.add_option("--year", *year, "Year of the source figures (default: the latest stored)");
    app.add_option("--method", *method, "area (area-weighted) or dasymetric (weighted by --raster population)")
        ->check(CLI::IsMember({"area", "dasymetric"}))
        ->default_val("area");
    app.add_option("--raster", o->rasters, "Population raster(s) for dasymetric weights");
    app.add_option("--threads", o->threads, "Worker threads (default: all cores)");
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        geo::level src_l = level_option(*from), dst_l = level_option(*to);
        o->method = *method == "dasymetric" ? geo::allocation_method::dasymetric : geo::allocation_method::area;
        if (o->method == geo::allocation_method::dasymetric && o->rasters.empty())
            throw geo::format_error({}, "missing raster", "--method dasymetric needs --raster POPULATION.tif");
        geo::unit_layer sources, targets;
        geo::population_values values;
        int y = *year;
        {
            auto db_store = geo::store::open_store(*store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
            o->analysis_crs = db.analysis_crs();
            sources = db.read_level(src_l, o->analysis_crs);
            targets = db.read_level(dst_l, o->analysis_crs);
            auto years = db.population_years(src_l);
            if (y == 0 && !years.empty()) y = years.back();
            values = db.read_population(src_l, y);
            if (values.empty())
                throw geo::store_error({*store, {}, {}, {}, {}}, "no population",
                                       "the store holds no population for " + std::string(geo::level_table(src_l)) +
                                           (*year ? " in " + std::to_string(*year) : std::string()));
        }
        if (targets.units.empty())
            throw geo::store_error({*store, {}, {}, {}, {}}, "no units",
                                   "the store holds no " + std::string(geo::level_table(dst_l)));
        geo::allocation_result r = geo::allocate_population(sources, values, targets, *o);
        std::string src_text = std::string(geo::level_table(src_l)) + " " + std::to_string(y) +
                               (o->rasters.empty() ? "" : " weighted by " + join(o->rasters));
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            geo::store::import_record rec{dst_l, src_text, "", *method, "", "", 0};
            db.write_population({dst_l, y, *method, src_text}, r.values, rec, r.report);
        });
        if (*json) {
            std::printf("%s\n", nlohmann::json{{"store", *store},
                                               {"year", y},
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
                        r.allocated_total, r.source_total, std::string(geo::level_table(src_l)).c_str(),
                        targets.units.size(), std::string(geo::level_table(dst_l)).c_str(), method->c_str(), r.pieces,
                        seconds_since(t0));
        }
        return 0;
    };
}

}  // namespace microplan::cli

namespace microplan::cli {

command add_population_project(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    auto lvl = std::make_shared<std::string>();
    auto from = std::make_shared<int>(0);
    auto until = std::make_shared<int>(2035);
    app.add_option("--store,-s", *store, "Planning store (SpatiaLite) with cantons and provinces")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--projections,-p", *file,
                   "Cantonal projections: provincia, canton and one column per year (INEC's "
                   "proyecciones_cantonales_2010_2035.csv)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--level,-l", *lvl, "Level whose population is projected (default: every level with population)")
        ->check(level_names);
    app.add_option("--from-year", *from, "Base year (default: the store's latest year that is not a projection)");
    app.add_option("--until", *until, "Last year to write")->default_val(2035);
    return [store, file, lvl, from, until] {
        auto t0 = clock_type::now();
        geo::projection_table table = geo::read_projections(*file);
        std::vector<std::pair<geo::level, std::map<int, geo::population_values>>> results;
        geo::findings report;
        int base = *from;
        {
            auto db_store = geo::store::open_store(*store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
            if (!base) base = db.base_population_year().value_or(0);
            if (!base)
                throw geo::store_error({*store, {}, {}, {}, {}}, "no population",
                                       "the store holds no population to project");
            geo::unit_layer cantons = db.read_level(geo::level::canton);
            geo::unit_layer provinces = db.read_level(geo::level::province);
            if (cantons.units.empty() || provinces.units.empty())
                throw geo::store_error({*store, {}, {}, {}, {}}, "cantons needed",
                                       "projections are matched to cantons by name within provinces; import both "
                                       "(`microplan import cantones.geojson --level canton`, ... --level province)");
            geo::canton_projection proj = geo::match_projections(table, cantons, provinces);
            report.append(proj.report);
            geo::point_locator in_canton(cantons);
            std::vector<geo::level> levels;
            if (lvl->empty()) {
                for (geo::level l : geo::all_levels)
                    if (!db.population_years(l).empty()) levels.push_back(l);
            } else {
                levels.push_back(level_option(*lvl));
            }
            for (geo::level l : levels) {
                geo::population_values values = db.read_population(l, base);
                std::map<std::string, std::string> canton_of;
                if (l == geo::level::parish || l == geo::level::canton) {
                    for (const auto& [code, v] : values.begin()->second) canton_of[code] = code.substr(0, 4);
                } else {
                    // The canton holding a point inside the unit.
                    geo::unit_layer units = db.read_level(l);
                    auto& ctx = geo::geos::thread_context();
                    for (const auto& u : units.units) {
                        geo::geos::geom_ptr p = geo::geos::own(GEOSPointOnSurface_r(ctx.handle(), u.geometry.get()));
                        double x = 0, y = 0;
                        if (!p || !GEOSGeomGetX_r(ctx.handle(), p.get(), &x) ||
                            !GEOSGeomGetY_r(ctx.handle(), p.get(), &y))
                            continue;
                        int c = in_canton.locate(x, y);
                        if (c >= 0) canton_of[u.code] = cantons.units[static_cast<std::size_t>(c)].code;
                    }
                }
                results.emplace_back(l, geo::project_values(values, base, canton_of, proj, base + 1, *until, report));
            }
        }
        print_findings(report, 5);
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            for (const auto& [l, years] : results)
                for (const auto& [year, values] : years) {
                    geo::store::import_record rec{l, *file, "", "CSV", "", "", 0};
                    db.write_population({l, year, "projection", *file}, values, rec, {});
                }
        });
        for (const auto& [l, years] : results)
            if (!years.empty())
                std::printf("%s: population projected from %d to %d-%d (total %.0f -> %.0f)\n",
                            std::string(geo::level_table(l)).c_str(), base, years.begin()->first, years.rbegin()->first,
                            total_of(years.begin()->second), total_of(years.rbegin()->second));
        std::fprintf(stderr, "done in %.2f s\n", seconds_since(t0));
        return 0;
    };
}

}  // namespace microplan::cli
