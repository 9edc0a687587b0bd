#include "commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "microplan/geo/usecases/accessibility.hpp"
#include "microplan/geo/access/friction.hpp"
#include "microplan/geo/usecases/demo.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/codification.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/assign.hpp"
#include "microplan/geo/territory/build.hpp"
#include "microplan/geo/territory/validate.hpp"

namespace microplan::cli {

command add_import(CLI::App& app) {
    auto o = std::make_shared<geo::import_options>();
    auto store = std::make_shared<std::string>();
    auto lvl = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    app.add_option("source", o->path,
                   "Vector source: GeoPackage, Shapefile, GeoJSON, FlatGeobuf, ... (/vsigzip/ works)");
    app.add_option("--store,-s", *store, "Planning store (SpatiaLite file; created when missing); required");
    app.add_option("--level,-l", *lvl,
                   "Level of the units: zone, district, circuit, province, canton, parish; required")
        ->check(level_names);
    app.add_option("--layer", o->layer, "Layer to read (default: the first)");
    app.add_option("--code-field", o->fields.code, "Field with the unit code (default: detected)");
    app.add_option("--name-field", o->fields.name, "Field with the unit name (default: detected)");
    app.add_option("--parent-field", o->fields.parent, "Field with the parent unit's code (default: detected)");
    app.add_option("--s-srs", o->source_crs, "CRS of the source, for data without one or to override it (EPSG:4326)");
    app.add_flag("--swap-xy", o->swap_xy, "The coordinates come latitude first (lat, lon): swap them");
    app.add_option("--encoding", o->source_encoding, "Encoding of attribute text that is not UTF-8")
        ->default_val("ISO-8859-1");
    app.add_option("--analysis-crs", o->analysis_crs, "Projected CRS for areas and lengths")->default_val("EPSG:32717");
    app.add_option("--threads", o->threads, "Worker threads (default: all cores)");
    app.add_flag("--json", *json, "Print the import report as JSON on stdout");
    return [o, store, lvl, json] {
        auto t0 = clock_type::now();
        // Not marked required so that `import establishments ...` parses; checked here.
        if (o->path.empty() || store->empty() || lvl->empty())
            throw CLI::RequiredError("import needs SOURCE, --store and --level (or: import establishments --help)");
        o->lvl = level_option(*lvl);
        std::fprintf(stderr, "reading %s ...\n", o->path.c_str());
        geo::import_result r = geo::read_units(*o);
        std::fprintf(stderr, "read %zu %s (%zu vertices) in %.2f s; writing %s ...\n", r.layer.units.size(),
                     std::string(geo::level_table(o->lvl)).c_str(), r.vertices, seconds_since(t0), store->c_str());
        geo::store::import_record rec{
            o->lvl,
            o->path,
            r.layer_name,
            r.driver,
            r.source_crs,
            "code=" + r.used_fields.code + " name=" + r.used_fields.name + " parent=" + r.used_fields.parent,
            r.vertices};
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            db.ensure_schema(o->analysis_crs);
            db.write_level(r.layer, rec, r.report);
        });
        if (*json) {
            nlohmann::json j{
                {"store", *store},
                {"level", geo::level_name(o->lvl)},
                {"source", o->path},
                {"layer", r.layer_name},
                {"driver", r.driver},
                {"crs", r.source_crs},
                {"units", r.layer.units.size()},
                {"vertices", r.vertices},
                {"fields",
                 {{"code", r.used_fields.code}, {"name", r.used_fields.name}, {"parent", r.used_fields.parent}}},
                {"findings", r.report.items}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_findings(r.report);
            std::printf("imported %zu %s from %s (layer '%s', %s, %s; code=%s name=%s parent=%s) into %s in %.2f s\n",
                        r.layer.units.size(), std::string(geo::level_table(o->lvl)).c_str(), o->path.c_str(),
                        r.layer_name.c_str(), r.driver.c_str(), r.source_crs.c_str(), r.used_fields.code.c_str(),
                        r.used_fields.name.empty() ? "-" : r.used_fields.name.c_str(),
                        r.used_fields.parent.empty() ? "-" : r.used_fields.parent.c_str(), store->c_str(),
                        seconds_since(t0));
        }
        return 0;
    };
}

command add_build(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto from = std::make_shared<std::string>("cantons");
    auto table = std::make_shared<std::string>();
    auto threads = std::make_shared<unsigned>(0);
    app.add_option("store", *store, "Planning store")->required();
    app.add_option("--from", *from, "Level to dissolve: cantons (needs --codification) or circuits")
        ->check(CLI::IsMember({"cantons", "canton", "circuits", "circuit"}))
        ->default_val("cantons");
    app.add_option("--codification", *table,
                   "Codification table (CSV: zone, district, circuit, province, canton, parish)");
    app.add_option("--threads", *threads, "Worker threads (default: all cores)");
    return [store, from, table, threads] {
        auto t0 = clock_type::now();
        geo::built_levels built;
        bool cantons = from->starts_with("canton");
        std::optional<geo::codification_table> codes;
        if (!table->empty()) codes = geo::codification_table::read(*table);
        if (cantons && !codes)
            throw geo::format_error({}, "missing codification table", "building from cantons needs --codification");
        std::string crs;
        {
            auto db_store = geo::store::open_store(*store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
            crs = db.analysis_crs();
            geo::unit_layer children = db.read_level(cantons ? geo::level::canton : geo::level::circuit);
            if (children.units.empty())
                throw geo::store_error(
                    {*store, {}, {}, {}, {}}, "nothing to build from",
                    std::string("the store holds no ") + (cantons ? "cantons" : "circuits") + "; import them first");
            built = cantons ? geo::build_from_cantons(children, *codes, crs, *threads)
                            : geo::build_from_circuits(children, codes ? &*codes : nullptr, crs, *threads);
        }
        geo::store::import_record rec{geo::level::district,
                                      "built from " + *from + (table->empty() ? "" : " + " + *table),
                                      "",
                                      "microplan build",
                                      "EPSG:4326",
                                      "",
                                      0};
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            db.write_level(built.districts, rec, built.report);
            if (!built.zones.units.empty()) {
                rec.lvl = geo::level::zone;
                db.write_level(built.zones, rec, {});
            }
        });
        print_findings(built.report);
        std::printf("built %zu districts and %zu zones from %s in %.2f s (%zu error(s), %zu warning(s))\n",
                    built.districts.units.size(), built.zones.units.size(), from->c_str(), seconds_since(t0),
                    built.report.count(geo::severity::error), built.report.count(geo::severity::warning));
        return built.report.has_errors() ? 1 : 0;
    };
}

command add_validate(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto opt = std::make_shared<geo::validation_options>();
    app.add_option("store", *store, "Planning store")->required();
    app.add_flag("--json", *json, "Print the report as JSON");
    app.add_option("--sliver-km2", opt->sliver_km2, "Ignore gaps and overlaps smaller than this (km²)")
        ->default_val(0.05);
    app.add_option("--nesting-share", opt->nesting_share, "Share of a child's area that must lie in its parent")
        ->default_val(0.98);
    app.add_option("--threads", opt->threads, "Worker threads (default: all cores)");
    return [store, json, opt] {
        auto db_store = geo::store::open_store(*store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
        opt->analysis_crs = db.analysis_crs();
        std::vector<geo::unit_layer> layers;
        for (geo::level l : db.levels_present())
            layers.push_back(db.read_level(l, opt->analysis_crs));
        if (layers.empty())
            throw geo::store_error({*store, {}, {}, {}, {}}, "empty store", "no territorial units to validate");
        std::vector<const geo::unit_layer*> ptrs;
        for (auto& l : layers) ptrs.push_back(&l);
        geo::validation_report r = geo::validate(ptrs, *opt);
        // What the imports repaired belongs in the report too.
        geo::findings recorded = db.recorded_findings();
        recorded.append(r.report);
        r.report = std::move(recorded);
        if (*json) {
            nlohmann::json j = r;
            j["store"] = *store;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("%s", r.to_text().c_str());
        }
        return r.ok() ? 0 : 1;
    };
}

command add_demo(CLI::App& app) {
    auto out = std::make_shared<std::string>();
    auto raster = std::make_shared<std::string>();
    auto opt = std::make_shared<geo::demo::country_options>();
    app.add_option("--out,-o", *out, "Planning store to write (replaced atomically)")->required();
    app.add_option("--raster", *raster,
                   "Population raster to write (default: <store>_population.tif beside the store)");
    app.add_option("--seed", opt->seed, "Random seed; the same seed gives the same country")->default_val(2012);
    auto standards = std::make_shared<std::string>(MICROPLAN_DATA_DIR "/standards/demo.csv");
    app.add_option("--standards", *standards, "Standards catalogue put in force ('' for none)")
        ->default_str(*standards);
    return [out, raster, opt, standards] {
        auto t0 = clock_type::now();
        std::fprintf(stderr, "generating the demo country (seed %llu) ...\n",
                     static_cast<unsigned long long>(opt->seed));
        geo::usecases::demo_summary d =
            geo::usecases::build_demo_store({*out, *raster, *opt, *standards, MICROPLAN_DATA_DIR});
        std::printf(
            "demo country written to %s in %.2f s: %zu zones, %zu districts, %zu circuits, %.0f km², "
            "%.0f people (raster %s), %zu establishments, population %d-%d, %s, accessibility of %zu sectors "
            "(inputs %s_*)\n",
            out->c_str(), seconds_since(t0), d.zones, d.districts, d.circuits, d.area_km2, d.people, d.raster.c_str(),
            d.establishments, d.first_year, d.last_year,
            standards->empty() ? "no standards" : ("standards " + *standards).c_str(), d.access_runs,
            d.inputs_prefix.c_str());
        return 0;
    };
}

}  // namespace microplan::cli
