// `microplan import` (territorial units) and `microplan import establishments`.
#include "microplan/geo/usecases/import.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/establishments.hpp"

namespace microplan::cli {

namespace {

void print_import(const geo::usecases::unit_import_result& r, const geo::import_options& o, const std::string& store,
                  bool json, double seconds) {
    if (json) {
        nlohmann::json j{
            {"store", store},
            {"level", geo::level_name(o.lvl)},
            {"source", o.path},
            {"layer", r.layer_name},
            {"driver", r.driver},
            {"crs", r.source_crs},
            {"units", r.layer.units.size()},
            {"vertices", r.vertices},
            {"fields", {{"code", r.used_fields.code}, {"name", r.used_fields.name}, {"parent", r.used_fields.parent}}},
            {"replaced", replacement_json(r.replaced)},
            {"findings", r.report.items}};
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    print_findings(r.report);
    std::printf("imported %zu %s from %s (layer '%s', %s, %s; code=%s name=%s parent=%s) into %s in %.2f s\n",
                r.layer.units.size(), std::string(geo::level_table(o.lvl)).c_str(), o.path.c_str(),
                r.layer_name.c_str(), r.driver.c_str(), r.source_crs.c_str(), r.used_fields.code.c_str(),
                r.used_fields.name.empty() ? "-" : r.used_fields.name.c_str(),
                r.used_fields.parent.empty() ? "-" : r.used_fields.parent.c_str(), store.c_str(), seconds);
    print_replacement(r.replaced);
}

}  // namespace

command add_import(CLI::App& app) {
    auto o = std::make_shared<geo::import_options>();
    auto store = std::make_shared<std::string>();
    auto lvl = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto policy = std::make_shared<geo::usecases::shrink_policy>(geo::usecases::shrink_policy::refuse);
    app.add_option("source", o->path,
                   "Vector source: GeoPackage, Shapefile, GeoJSON, FlatGeobuf, ... (/vsigzip/ works)");
    app.add_option("--store,-s", *store, "Planning store (SpatiaLite file; created when missing); required");
    app.add_option("--level,-l", *lvl,
                   "Level of the units: zone, district, circuit, province, canton, parish; required")
        ->check(level_names);
    app.add_option("--layer", o->layer, "Layer to read (default: the only one that fits; required when several do)");
    app.add_option("--code-field", o->fields.code, "Field with the unit code (default: detected)");
    app.add_option("--name-field", o->fields.name, "Field with the unit name (default: detected)");
    app.add_option("--parent-field", o->fields.parent, "Field with the parent unit's code (default: detected)");
    app.add_option("--s-srs", o->source_crs, "CRS of the source, for data without one or to override it (EPSG:4326)");
    app.add_flag("--swap-xy", o->swap_xy, "The coordinates come latitude first (lat, lon): swap them");
    app.add_option("--encoding", o->source_encoding, "Encoding of attribute text that is not UTF-8")
        ->default_val("ISO-8859-1");
    app.add_option("--analysis-crs", o->analysis_crs, "Projected CRS for areas and lengths")->default_val("EPSG:32717");
    app.add_option("--threads", o->threads, "Worker threads (default: all cores)")->check(within(thread_count));
    add_replace_flag(app, *policy);
    app.add_flag("--json", *json, "Print the import report as JSON on stdout");
    return [o, store, lvl, json, policy] {
        auto t0 = clock_type::now();
        // Not marked required so that `import establishments ...` parses; checked here.
        if (o->path.empty() || store->empty() || lvl->empty())
            throw CLI::RequiredError("import needs SOURCE, --store and --level (or: import establishments --help)");
        o->lvl = level_option(*lvl);
        geo::usecases::unit_import_result r = geo::usecases::import_units(*store, *o, progress_on_stderr(), *policy);
        print_import(r, *o, *store, *json, seconds_since(t0));
        return 0;
    };
}

command add_import_establishments(CLI::App& app) {
    auto request = std::make_shared<geo::usecases::establishment_import_request>();
    auto json = std::make_shared<bool>(false);
    geo::establishment_import_options& o = request->source;
    app.add_option("source", o.path,
                   "Point layer (GeoPackage, Shapefile, GeoJSON, ...) or table with lon/lat columns (CSV)")
        ->required();
    app.add_option("--store,-s", request->store, "Planning store holding the boundaries")->required();
    app.add_option("--layer", o.layer, "Layer to read (default: the only one that fits; required when several do)");
    app.add_option("--sector", o.sector,
                   "Sector of every row without one: health, education, security, child_development, ...");
    app.add_option("--typology", o.typology, "Typology of rows without one");
    app.add_option("--status", o.status, "Status of rows without one: existing (default) or proposed");
    for (auto [flag, member] : {std::pair{"--id-field", &geo::establishment_fields::id},
                                {"--name-field", &geo::establishment_fields::name},
                                {"--sector-field", &geo::establishment_fields::sector},
                                {"--typology-field", &geo::establishment_fields::typology},
                                {"--capacity-field", &geo::establishment_fields::capacity},
                                {"--condition-field", &geo::establishment_fields::condition},
                                {"--staff-field", &geo::establishment_fields::staff},
                                {"--status-field", &geo::establishment_fields::status},
                                {"--lon-field", &geo::establishment_fields::lon},
                                {"--lat-field", &geo::establishment_fields::lat}})
        app.add_option(flag, o.fields.*member, "Source field (default: detected; '-' for none)");
    app.add_option("--s-srs", o.source_crs, "CRS of the coordinates (default: the layer's, or EPSG:4326 for columns)");
    app.add_flag("--swap-xy", o.swap_xy, "The coordinates come latitude first");
    app.add_option("--encoding", o.source_encoding, "Encoding of text that is not UTF-8")->default_val("ISO-8859-1");
    app.add_option("--snap-m", request->snap_m, "Place points this close to a unit (metres) in the nearest unit")
        ->check(within(snap_metres))
        ->default_val(0);
    app.add_flag("--append", request->append,
                 "Keep existing establishments of the same sectors (default: replace them)");
    app.add_option("--threads", request->threads, "Worker threads (default: all cores)")->check(within(thread_count));
    add_replace_flag(app, request->policy);
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [request, json] {
        auto t0 = clock_type::now();
        request->on_progress = progress_on_stderr();
        geo::usecases::placement_report r = geo::usecases::import_establishments(*request);
        if (*json) {
            nlohmann::json j{{"store", request->store},
                             {"source", request->source.path},
                             {"layer", r.layer_name},
                             {"driver", r.driver},
                             {"crs", r.source_crs},
                             {"summary", placement_json(r)},
                             {"replaced", nlohmann::json::array()},
                             {"findings", r.report.items}};
            for (const auto& rep : r.replaced) j["replaced"].push_back(replacement_json(rep));
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_findings(r.report, 20);
            print_placement(r);
            for (const auto& rep : r.replaced) print_replacement(rep);
            std::printf("imported into %s in %.2f s\n", request->store.c_str(), seconds_since(t0));
        }
        return 0;
    };
}

}  // namespace microplan::cli
