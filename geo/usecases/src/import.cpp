#include "microplan/geo/usecases/import.hpp"

#include <optional>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

unit_import_result import_units(const std::string& store, const import_options& source, const progress& on_progress,
                                shrink_policy policy) {
    detail::stopwatch clock;
    detail::tell(on_progress, detail::text("reading %s ...", source.path.c_str()));
    unit_import_result r{read_units(source), {}};
    r.replaced.what = level_table(source.lvl);
    r.replaced.after = r.layer.units.size();
    detail::tell(on_progress, detail::text("read %zu %s (%zu vertices) in %.2f s; writing %s ...", r.layer.units.size(),
                                           std::string(level_table(source.lvl)).c_str(), r.vertices, clock.seconds(),
                                           store.c_str()));
    store::import_record rec{
        source.lvl,   source.path,
        r.layer_name, r.driver,
        r.source_crs, "code=" + r.used_fields.code + " name=" + r.used_fields.name + " parent=" + r.used_fields.parent,
        r.vertices};
    store::update_atomically(store, [&](store::planning_store& db) {
        db.ensure_schema(source.analysis_crs);
        // Counted inside the update: the latest committed store is the one replaced.
        r.replaced.before = db.read_unit_records(source.lvl).size();
        check_replacements({&r.replaced, 1}, policy, {source.path, r.layer_name, {}, {}, {}}, store);
        db.write_level(r.layer, rec, r.report);
    });
    return r;
}

built_levels build_upper_levels(const build_request& request) {
    const bool cantons = request.from.starts_with("canton");
    std::optional<codification_table> codes;
    if (!request.codification.empty()) codes = codification_table::read(request.codification);
    if (cantons && !codes)
        throw format_error({}, "missing codification table", "building from cantons needs --codification");
    built_levels built;
    store::write_lock lock(request.store);  // the levels built are from the children written beside
    {
        auto db = store::open_store(request.store, store::open_mode::read_only);
        const std::string crs = db->analysis_crs();
        unit_layer children = db->read_level(cantons ? level::canton : level::circuit);
        if (children.units.empty())
            throw store_error(
                {request.store, {}, {}, {}, {}}, "nothing to build from",
                std::string("the store holds no ") + (cantons ? "cantons" : "circuits") + "; import them first");
        built = cantons ? build_from_cantons(children, *codes, crs, request.threads)
                        : build_from_circuits(children, codes ? &*codes : nullptr, crs, request.threads);
    }
    store::import_record rec{
        level::district,
        "built from " + request.from + (request.codification.empty() ? "" : " + " + request.codification),
        "",
        "microplan build",
        "EPSG:4326",
        "",
        0};
    store::update_atomically(lock, [&](store::planning_store& db) {
        db.write_level(built.districts, rec, built.report);
        if (!built.zones.units.empty()) {
            rec.lvl = level::zone;
            db.write_level(built.zones, rec, {});
        }
    });
    return built;
}

}  // namespace microplan::geo::usecases
