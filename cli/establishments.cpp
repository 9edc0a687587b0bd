// `microplan import establishments` and `microplan assign`.

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/assign.hpp"

namespace microplan::cli {

namespace {

// What placing establishments needs from the store: every level it holds (with projected
// copies for distances), the analysis CRS, and optionally the stored establishments.
struct placement_inputs {
    std::vector<geo::unit_layer> layers;
    geo::assign_options options;
    std::vector<geo::establishment> stored;
    [[nodiscard]] std::vector<const geo::unit_layer*> pointers() const {
        std::vector<const geo::unit_layer*> p;
        for (const auto& l : layers) p.push_back(&l);
        return p;
    }
};

placement_inputs read_placement_inputs(const std::string& store, double snap_m, unsigned threads, bool with_stored) {
    placement_inputs in;
    in.options.snap_m = snap_m;
    in.options.threads = threads;
    auto db_store = geo::store::open_store(store, geo::store::open_mode::read_only);
        geo::store::planning_store& db = *db_store;
    in.options.analysis_crs = db.analysis_crs();
    for (geo::level l : db.levels_present())
        in.layers.push_back(db.read_level(l, in.options.analysis_crs));
    if (in.layers.empty())
        throw geo::store_error({store, {}, {}, {}, {}}, "no boundaries",
                               "the store holds no units to place establishments in; import boundaries first");
    if (with_stored)
        for (auto& e : db.read_establishments()) in.stored.push_back(std::move(e.attributes));
    return in;
}

nlohmann::json summary_json(const geo::assign_summary& s, std::size_t rows) {
    return {{"rows", rows},
            {"primary_level", s.primary ? std::string(geo::level_name(*s.primary)) : std::string()},
            {"inside", s.inside},
            {"snapped", s.snapped},
            {"outside", s.outside},
            {"invalid", s.invalid},
            {"swapped", s.swapped},
            {"duplicate_ids", s.duplicate_ids},
            {"duplicate_locations", s.duplicate_locations}};
}

void print_summary(const geo::assign_summary& s, std::size_t rows) {
    std::printf(
        "%zu establishments: %zu inside a %s, %zu snapped, %zu outside every unit, %zu without usable "
        "coordinates (%zu swapped lon/lat, %zu duplicate ids, %zu duplicate locations)\n",
        rows, s.inside, s.primary ? std::string(geo::level_name(*s.primary)).c_str() : "unit", s.snapped, s.outside,
        s.invalid, s.swapped, s.duplicate_ids, s.duplicate_locations);
}

}  // namespace

command add_import_establishments(CLI::App& app) {
    auto o = std::make_shared<geo::establishment_import_options>();
    auto store = std::make_shared<std::string>();
    auto snap = std::make_shared<double>(0);
    auto append = std::make_shared<bool>(false);
    auto json = std::make_shared<bool>(false);
    auto threads = std::make_shared<unsigned>(0);
    app.add_option("source", o->path,
                   "Point layer (GeoPackage, Shapefile, GeoJSON, ...) or table with lon/lat columns (CSV)")
        ->required();
    app.add_option("--store,-s", *store, "Planning store holding the boundaries")->required();
    app.add_option("--layer", o->layer, "Layer to read (default: the first)");
    app.add_option("--sector", o->sector,
                   "Sector of every row without one: health, education, security, child_development, ...");
    app.add_option("--typology", o->typology, "Typology of rows without one");
    app.add_option("--status", o->status, "Status of rows without one: existing (default) or proposed");
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
        app.add_option(flag, o->fields.*member, "Source field (default: detected; '-' for none)");
    app.add_option("--s-srs", o->source_crs, "CRS of the coordinates (default: the layer's, or EPSG:4326 for columns)");
    app.add_flag("--swap-xy", o->swap_xy, "The coordinates come latitude first");
    app.add_option("--encoding", o->source_encoding, "Encoding of text that is not UTF-8")->default_val("ISO-8859-1");
    app.add_option("--snap-m", *snap, "Place points this close to a unit (metres) in the nearest unit")->default_val(0);
    app.add_flag("--append", *append, "Keep existing establishments of the same sectors (default: replace them)");
    app.add_option("--threads", *threads, "Worker threads (default: all cores)");
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        std::fprintf(stderr, "reading %s ...\n", o->path.c_str());
        geo::establishment_import_result r = geo::read_establishments(*o);
        placement_inputs in = read_placement_inputs(*store, *snap, *threads, false);
        std::fprintf(stderr, "read %zu rows in %.2f s; placing them in %zu level(s) ...\n", r.rows.size(),
                     seconds_since(t0), in.layers.size());
        geo::assign_result a = geo::assign_points(r.rows, in.pointers(), in.options);
        geo::findings all = r.report;
        all.append(a.report);
        const auto& f = r.used_fields;
        geo::store::import_record rec{geo::level::circuit,
                                      o->path,
                                      r.layer_name,
                                      r.driver,
                                      r.source_crs,
                                      "id=" + f.id + " name=" + f.name + " sector=" + f.sector +
                                          " typology=" + f.typology + " capacity=" + f.capacity +
                                          " condition=" + f.condition + " staff=" + f.staff + " status=" + f.status +
                                          (r.from_columns ? " lon=" + f.lon + " lat=" + f.lat : ""),
                                      0};
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            db.write_establishments(r.rows, a.rows, rec, all,
                                             *append ? geo::store::establishment_write_mode::append
                                                     : geo::store::establishment_write_mode::replace_sectors);
        });
        if (*json) {
            nlohmann::json j{{"store", *store},       {"source", o->path},
                             {"layer", r.layer_name}, {"driver", r.driver},
                             {"crs", r.source_crs},   {"summary", summary_json(a.summary, r.rows.size())},
                             {"findings", all.items}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_findings(all, 20);
            print_summary(a.summary, r.rows.size());
            std::printf("imported into %s in %.2f s\n", store->c_str(), seconds_since(t0));
        }
        return 0;
    };
}

command add_assign(CLI::App& app) {
    auto store = std::make_shared<std::string>();
    auto snap = std::make_shared<double>(0);
    auto json = std::make_shared<bool>(false);
    auto threads = std::make_shared<unsigned>(0);
    app.add_option("store", *store, "Planning store")->required();
    app.add_option("--snap-m", *snap, "Place points this close to a unit (metres) in the nearest unit")->default_val(0);
    app.add_option("--threads", *threads, "Worker threads (default: all cores)");
    app.add_flag("--json", *json, "Print the report as JSON on stdout");
    return [=] {
        auto t0 = clock_type::now();
        placement_inputs in = read_placement_inputs(*store, *snap, *threads, true);
        const std::vector<geo::establishment>& rows = in.stored;
        if (rows.empty())
            throw geo::store_error(
                {*store, {}, {}, {}, {}}, "no establishments",
                "the store holds no establishments; import them with `microplan import establishments`");
        geo::assign_result a = geo::assign_points(rows, in.pointers(), in.options);
        geo::store::update_atomically(*store, [&](geo::store::planning_store& db) {
            db.update_assignments(rows, a.rows);
            db.record_import("establishments",
                                      {geo::level::circuit, "microplan assign", "", "", "", "", 0}, rows.size(),
                                      a.report);
        });
        if (*json) {
            nlohmann::json j{
                {"store", *store}, {"summary", summary_json(a.summary, rows.size())}, {"findings", a.report.items}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_findings(a.report, 20);
            print_summary(a.summary, rows.size());
            std::printf("assigned in %.2f s\n", seconds_since(t0));
        }
        return 0;
    };
}

}  // namespace microplan::cli
