#include "microplan/geo/usecases/establishments.hpp"

#include <map>
#include <span>
#include <vector>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

namespace {

// What placing establishments needs from the store: every level it holds (with projected
// copies for distances), the analysis CRS, and optionally the stored establishments.
struct placement_inputs {
    std::vector<unit_layer> layers;
    assign_options options;
    std::vector<establishment> stored;
    std::size_t kept_by_code = 0;  // stored rows placed by code, left as they are
    [[nodiscard]] std::vector<const unit_layer*> pointers() const {
        std::vector<const unit_layer*> p;
        for (const auto& l : layers) p.push_back(&l);
        return p;
    }
};

placement_inputs read_placement_inputs(const std::string& store, double snap_m, unsigned threads, bool with_stored) {
    placement_inputs in;
    in.options.snap_m = snap_m;
    in.options.threads = threads;
    auto db = store::open_store(store, store::open_mode::read_only);
    in.options.analysis_crs = db->analysis_crs();
    for (level l : db->levels_present()) in.layers.push_back(db->read_level(l, in.options.analysis_crs));
    if (in.layers.empty())
        throw store_error({store, {}, {}, {}, {}}, "no boundaries",
                          "the store holds no units to place establishments in; import boundaries first");
    // Rows placed by code (no coordinates) keep their placement: it came from codes the source
    // recorded, which the store does not hold; placing them by coordinates would drop them.
    if (with_stored)
        for (auto& e : db->read_establishments()) {
            if (e.placement == placement_name(placement::by_code)) {
                ++in.kept_by_code;
                continue;
            }
            in.stored.push_back(std::move(e.attributes));
        }
    return in;
}

std::string fields_text(const establishment_import_result& r) {
    const auto& f = r.used_fields;
    return "id=" + f.id + " name=" + f.name + " sector=" + f.sector + " typology=" + f.typology +
           " capacity=" + f.capacity + " condition=" + f.condition + " staff=" + f.staff + " status=" + f.status +
           (r.from_columns ? " lon=" + f.lon + " lat=" + f.lat : "");
}

bool is_placed(placement p) { return p == placement::inside || p == placement::snapped; }

// Per sector of `rows`: the establishments the store holds and those replacing them.
std::vector<replacement> sector_replacements(std::span<const establishment> rows,
                                             std::span<const point_assignment> placed,
                                             const std::vector<store::stored_establishment>& stored) {
    std::map<std::string, replacement> by_sector;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        replacement& r = by_sector[rows[i].sector];
        ++r.after;
        r.placed_after = r.placed_after.value_or(0) + (is_placed(placed[i].where) ? 1 : 0);
    }
    for (const auto& s : stored) {
        auto it = by_sector.find(s.attributes.sector);
        if (it == by_sector.end()) continue;
        ++it->second.before;
        const bool in_unit =
            s.placement == placement_name(placement::inside) || s.placement == placement_name(placement::snapped);
        it->second.placed_before = it->second.placed_before.value_or(0) + (in_unit ? 1 : 0);
    }
    std::vector<replacement> out;
    for (auto& [sector, r] : by_sector) {
        r.what = sector + " establishments";
        r.placed_before = r.placed_before.value_or(0);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

placement_report import_establishments(const establishment_import_request& request) {
    detail::stopwatch clock;
    detail::tell(request.on_progress, detail::text("reading %s ...", request.source.path.c_str()));
    establishment_import_result r = read_establishments(request.source);
    store::write_lock lock(request.store);  // placed in the units they are written beside
    placement_inputs in = read_placement_inputs(request.store, request.snap_m, request.threads, false);
    detail::tell(request.on_progress, detail::text("read %zu rows in %.2f s; placing them in %zu level(s) ...",
                                                   r.rows.size(), clock.seconds(), in.layers.size()));
    assign_result a = assign_points(r.rows, in.pointers(), in.options);
    placement_report out{r.rows.size(), a.summary, r.report, r.layer_name, r.driver, r.source_crs, {}};
    out.report.append(a.report);
    store::import_record rec{
        level::circuit, request.source.path, r.layer_name, r.driver, r.source_crs, fields_text(r), 0};
    store::update_atomically(lock, [&](store::planning_store& db) {
        if (!request.append) {
            // Counted inside the update: the latest committed store is the one replaced.
            out.replaced = sector_replacements(r.rows, a.rows, db.read_establishments());
            check_replacements(out.replaced, request.policy, {request.source.path, r.layer_name, {}, {}, {}},
                               request.store);
        }
        db.write_establishments(r.rows, a.rows, rec, out.report,
                                request.append ? store::establishment_write_mode::append
                                               : store::establishment_write_mode::replace_sectors);
    });
    return out;
}

placement_report assign_establishments(const std::string& store, double snap_m, unsigned threads) {
    store::write_lock lock(store);
    placement_inputs in = read_placement_inputs(store, snap_m, threads, true);
    const std::vector<establishment>& rows = in.stored;
    if (rows.empty())
        throw store_error({store, {}, {}, {}, {}}, "no establishments",
                          "the store holds no establishments; import them with `microplan import establishments`");
    assign_result a = assign_points(rows, in.pointers(), in.options);
    if (in.kept_by_code)
        a.report.add({severity::info,
                      "establishment.kept_by_code",
                      std::nullopt,
                      {},
                      std::nullopt,
                      std::to_string(in.kept_by_code) +
                          " establishments without coordinates keep the placement their recorded codes gave them "
                          "(import their registry again to place them anew)",
                      std::nullopt,
                      std::nullopt,
                      std::nullopt});
    store::update_atomically(lock, [&](store::planning_store& db) {
        db.update_assignments(rows, a.rows);
        db.record_import("establishments", {level::circuit, "microplan assign", "", "", "", "", 0}, rows.size(),
                         a.report);
    });
    return {rows.size(), a.summary, std::move(a.report), {}, {}, {}, {}};
}

}  // namespace microplan::geo::usecases
