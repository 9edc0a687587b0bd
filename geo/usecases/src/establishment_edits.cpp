#include "microplan/geo/usecases/establishment_edits.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "microplan/geo/territory/assign.hpp"
#include "microplan/geo/usecases/refusal.hpp"
#include "version_digest.hpp"

namespace microplan::geo::usecases {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw refusal(refusal::reason::invalid, message); }

void check(const establishment& e) {
    if (e.sector.empty()) invalid("property 'sector' is required (health, education, security, ...)");
    if (canonical_sector(e.sector) != e.sector)
        invalid("property 'sector': '" + e.sector + "' is not a sector name; say '" + canonical_sector(e.sector) + "'");
    if (!std::isfinite(e.lon) || !std::isfinite(e.lat))
        invalid("geometry: a Point with longitude and latitude is required");
    if (e.lon < -180 || e.lon > 180 || e.lat < -90 || e.lat > 90)
        invalid("geometry: (" + std::to_string(e.lon) + ", " + std::to_string(e.lat) +
                ") is out of range (longitude -180..180, latitude -90..90, in that order)");
    if (e.capacity && (!std::isfinite(*e.capacity) || *e.capacity < 0))
        invalid("property 'capacity' must be a number of 0 or more");
    if (e.staff && *e.staff < 0) invalid("property 'staff' must be 0 or more");
    if (e.status != "existing" && e.status != "proposed")
        invalid("property 'status' must be 'existing' or 'proposed', not '" + e.status + "'");
}

// `e` placed in every level the store holds; refused when it lies in no unit.
point_assignment place(store::planning_store& db, const establishment& e) {
    assign_options options;
    options.analysis_crs = db.analysis_crs();
    options.threads = 1;
    std::vector<unit_layer> layers;
    for (level l : db.levels_present()) layers.push_back(db.read_level(l, options.analysis_crs));
    if (layers.empty()) invalid("the store holds no units to place the establishment in; import boundaries first");
    std::vector<const unit_layer*> pointers;
    for (const auto& l : layers) pointers.push_back(&l);
    assign_result a = assign_points(std::span<const establishment>(&e, 1), pointers, options);
    const point_assignment& p = a.rows.at(0);
    if (p.where != placement::inside && p.where != placement::snapped)
        invalid("geometry: the point (" + std::to_string(e.lon) + ", " + std::to_string(e.lat) +
                ") lies in no unit of the store" +
                (p.nearest_code.empty() ? std::string() : " (the nearest is " + p.nearest_code + ")"));
    return p;
}

}  // namespace

std::string establishment_version(const store::stored_establishment& row) {
    const establishment& e = row.attributes;
    detail::version_digest d;
    d.add(std::to_string(e.row)).add(e.id).add(e.name).add(e.sector).add(e.typology);
    d.add(e.capacity ? std::to_string(*e.capacity) : "-").add(e.condition);
    d.add(e.staff ? std::to_string(*e.staff) : "-").add(e.status).add(e.provider).add(e.provider_source);
    d.add(e.lon).add(e.lat).add(e.opened).add(e.closed).add(e.rehabilitated).add(row.placement);
    for (const auto& c : row.codes) d.add(c);
    return d.hex();
}

establishment_edit_result edit_establishment(store::planning_store& db, const establishment_edit& edit) {
    using kind = establishment_edit::kind;
    std::optional<store::stored_establishment> before;
    if (edit.what != kind::create) {
        before = db.read_establishment(edit.fid);
        if (!before) throw refusal(refusal::reason::not_found, "no establishment with id " + std::to_string(edit.fid));
        const std::string now = establishment_version(*before);
        if (edit.if_match && std::find(edit.if_match->begin(), edit.if_match->end(), now) == edit.if_match->end())
            throw refusal(
                refusal::reason::stale,
                "establishment " + std::to_string(edit.fid) + " changed since it was read (If-Match " +
                    (edit.if_match->empty() ? std::string("named no version") : "\"" + edit.if_match->front() + "\"") +
                    ", now \"" + now + "\"): read it again and repeat the edit on what it is now");
    }
    establishment_edit_result out;
    if (edit.what == kind::remove) {
        db.delete_establishment(edit.fid);
        return out;
    }
    establishment e = edit.what == kind::update ? before->attributes : establishment{};
    if (edit.change) edit.change(e);
    e.row = 0;  // no source row
    check(e);
    const point_assignment placed = place(db, e);
    std::optional<std::int64_t> keep;
    if (edit.what != kind::create) keep = edit.fid;
    const std::int64_t fid = db.insert_establishment(e, placed, edit.source, keep);  // one transaction
    out.row = db.read_establishment(fid);
    if (out.row) out.version = establishment_version(*out.row);
    return out;
}

}  // namespace microplan::geo::usecases
