#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

namespace {

ring_coordinates ring_of(GEOSContextHandle_t ctx, const GEOSGeometry* ring) {
    ring_coordinates out;
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n)) return out;
    out.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(ctx, seq, i, &x, &y);
        out.push_back({x, y});
    }
    if (out.size() > 1 && out.front() == out.back()) out.pop_back();
    return out;
}

}  // namespace

std::vector<polygon_coordinates> lonlat_polygons(const unit& u) {
    std::vector<polygon_coordinates> out;
    if (!u.geometry) return out;
    GEOSContextHandle_t ctx = geos::thread_context().handle();
    for (const GEOSGeometry* poly : geos::polygons_of(u.geometry.get())) {
        polygon_coordinates p;
        p.push_back(ring_of(ctx, GEOSGetExteriorRing_r(ctx, poly)));
        int holes = GEOSGetNumInteriorRings_r(ctx, poly);
        for (int i = 0; i < holes; ++i) p.push_back(ring_of(ctx, GEOSGetInteriorRingN_r(ctx, poly, i)));
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace microplan::geo
