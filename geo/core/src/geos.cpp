#include "microplan/geo/core/geos.hpp"

#include <array>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "microplan/geo/error.hpp"

namespace microplan::geo::geos {

context::context() : handle_(GEOS_init_r()) {
    if (!handle_) throw std::runtime_error("GEOS: cannot create a context");
    GEOSContext_setErrorMessageHandler_r(handle_, &context::on_error, this);
}

context::~context() { GEOS_finish_r(handle_); }

void context::on_error(const char* message, void* userdata) {
    static_cast<context*>(userdata)->last_error_ = message ? message : "";
}

// Contexts outlive the threads that use them: a geometry made on a worker thread is often
// destroyed later on another one, through the handle its deleter carries. A thread leases
// a context from this pool and hands it back when it ends; contexts are never finished,
// so no handle a deleter holds is ever freed (at most one context per concurrent thread).
namespace {
std::mutex pool_mutex;
std::vector<context*>& free_contexts() {
    static auto* pool = new std::vector<context*>();  // intentionally never destroyed
    return *pool;
}
struct context_lease {
    context* ctx;
    context_lease() {
        std::lock_guard lock(pool_mutex);
        auto& pool = free_contexts();
        if (pool.empty()) {
            ctx = new context();
        } else {
            ctx = pool.back();
            pool.pop_back();
        }
    }
    ~context_lease() {
        std::lock_guard lock(pool_mutex);
        free_contexts().push_back(ctx);
    }
};
}  // namespace

context& thread_context() {
    thread_local context_lease lease;
    return *lease.ctx;
}

namespace {
GEOSContextHandle_t h() { return thread_context().handle(); }

[[noreturn]] void fail(const char* what) {
    throw geometry_error({}, std::string("GEOS ") + what + " failed", thread_context().last_error());
}

geom_ptr checked(GEOSGeometry* g, const char* what) {
    if (!g) fail(what);
    return own(g);
}
}  // namespace

geom_ptr own(GEOSGeometry* g) { return geom_ptr(g, geom_deleter{h()}); }
geom_ptr clone(const GEOSGeometry* g) { return checked(GEOSGeom_clone_r(h(), g), "clone"); }

geom_ptr from_wkb(std::span<const unsigned char> wkb) {
    GEOSWKBReader* reader = GEOSWKBReader_create_r(h());
    GEOSGeometry* g = GEOSWKBReader_read_r(h(), reader, wkb.data(), wkb.size());
    GEOSWKBReader_destroy_r(h(), reader);
    return checked(g, "WKB read");
}

geom_ptr from_wkt(std::string_view wkt) {
    std::string text(wkt);
    GEOSWKTReader* reader = GEOSWKTReader_create_r(h());
    GEOSGeometry* g = GEOSWKTReader_read_r(h(), reader, text.c_str());
    GEOSWKTReader_destroy_r(h(), reader);
    return checked(g, "WKT read");
}

std::vector<unsigned char> to_wkb(const GEOSGeometry* g) {
    GEOSWKBWriter* writer = GEOSWKBWriter_create_r(h());
    GEOSWKBWriter_setOutputDimension_r(h(), writer, 2);
    GEOSWKBWriter_setByteOrder_r(h(), writer, GEOS_WKB_NDR);
    std::size_t size = 0;
    unsigned char* buf = GEOSWKBWriter_write_r(h(), writer, g, &size);
    GEOSWKBWriter_destroy_r(h(), writer);
    if (!buf) fail("WKB write");
    std::vector<unsigned char> out(buf, buf + size);
    GEOSFree_r(h(), buf);
    return out;
}

std::string to_wkt(const GEOSGeometry* g, int precision) {
    GEOSWKTWriter* writer = GEOSWKTWriter_create_r(h());
    GEOSWKTWriter_setRoundingPrecision_r(h(), writer, precision);
    GEOSWKTWriter_setTrim_r(h(), writer, 1);
    char* text = GEOSWKTWriter_write_r(h(), writer, g);
    GEOSWKTWriter_destroy_r(h(), writer);
    if (!text) fail("WKT write");
    std::string out(text);
    GEOSFree_r(h(), text);
    return out;
}

std::string to_geojson(const GEOSGeometry* g) {
    GEOSGeoJSONWriter* writer = GEOSGeoJSONWriter_create_r(h());
    char* text = GEOSGeoJSONWriter_writeGeometry_r(h(), writer, g, -1);
    GEOSGeoJSONWriter_destroy_r(h(), writer);
    if (!text) fail("GeoJSON write");
    std::string out(text);
    GEOSFree_r(h(), text);
    return out;
}

double area(const GEOSGeometry* g) {
    double a = 0;
    if (GEOSArea_r(h(), g, &a) != 1) fail("area");
    return a;
}

std::array<double, 2> point_on_surface(const GEOSGeometry* g) {
    geom_ptr p = checked(GEOSPointOnSurface_r(h(), g), "point on surface");
    double x = 0, y = 0;
    if (GEOSGeomGetX_r(h(), p.get(), &x) != 1 || GEOSGeomGetY_r(h(), p.get(), &y) != 1) fail("point on surface");
    return {x, y};
}

double length(const GEOSGeometry* g) {
    double l = 0;
    if (GEOSLength_r(h(), g, &l) != 1) fail("length");
    return l;
}

geom_ptr unary_union(std::span<const GEOSGeometry* const> parts) {
    // The collection takes ownership of its members: give it clones.
    std::vector<GEOSGeometry*> owned;
    owned.reserve(parts.size());
    for (const GEOSGeometry* p : parts) owned.push_back(GEOSGeom_clone_r(h(), p));
    geom_ptr coll = checked(
        GEOSGeom_createCollection_r(h(), GEOS_GEOMETRYCOLLECTION, owned.data(), static_cast<unsigned>(owned.size())),
        "collection");
    return checked(GEOSUnaryUnion_r(h(), coll.get()), "unary union");
}

geom_ptr intersection(const GEOSGeometry* a, const GEOSGeometry* b) {
    return checked(GEOSIntersection_r(h(), a, b), "intersection");
}

geom_ptr difference(const GEOSGeometry* a, const GEOSGeometry* b) {
    return checked(GEOSDifference_r(h(), a, b), "difference");
}

namespace {
void collect_polygons(const GEOSGeometry* g, std::vector<GEOSGeometry*>& out) {
    int type = GEOSGeomTypeId_r(h(), g);
    if (type == GEOS_POLYGON) {
        if (!is_empty(g)) out.push_back(GEOSGeom_clone_r(h(), g));
        return;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h(), g);
        for (int i = 0; i < n; ++i) collect_polygons(GEOSGetGeometryN_r(h(), g, i), out);
    }
}
}  // namespace

geom_ptr polygonal_parts_as_multipolygon(const GEOSGeometry* g) {
    std::vector<GEOSGeometry*> polys;
    collect_polygons(g, polys);
    return checked(
        GEOSGeom_createCollection_r(h(), GEOS_MULTIPOLYGON, polys.data(), static_cast<unsigned>(polys.size())),
        "multipolygon");
}

std::vector<const GEOSGeometry*> polygons_of(const GEOSGeometry* g) {
    std::vector<const GEOSGeometry*> out;
    if (GEOSGeomTypeId_r(h(), g) == GEOS_POLYGON) {
        out.push_back(g);
        return out;
    }
    int n = GEOSGetNumGeometries_r(h(), g);
    for (int i = 0; i < n; ++i) out.push_back(GEOSGetGeometryN_r(h(), g, i));
    return out;
}

geom_ptr valid_polygonal(geom_ptr g) {
    if (!g || is_valid(g.get())) return g;
    geom_ptr fixed = checked(GEOSMakeValid_r(h(), g.get()), "make valid");
    return polygonal_parts_as_multipolygon(fixed.get());
}

void envelope::expand(const envelope& o) {
    minx = std::min(minx, o.minx);
    miny = std::min(miny, o.miny);
    maxx = std::max(maxx, o.maxx);
    maxy = std::max(maxy, o.maxy);
}

envelope envelope_of(const GEOSGeometry* g) {
    envelope e;
    if (GEOSGeom_getXMin_r(h(), g, &e.minx) != 1 || GEOSGeom_getYMin_r(h(), g, &e.miny) != 1 ||
        GEOSGeom_getXMax_r(h(), g, &e.maxx) != 1 || GEOSGeom_getYMax_r(h(), g, &e.maxy) != 1)
        fail("envelope");
    return e;
}

namespace detail {
geom_ptr transform_xy_raw(const GEOSGeometry* g, GEOSTransformXYCallback cb, void* user) {
    return own(GEOSGeom_transformXY_r(h(), g, cb, user));
}
}  // namespace detail

// ---- Predicates that throw ------------------------------------------------------------------

namespace {
// A GEOS predicate's answer: 0 false, 1 true, anything else (2) a GEOS failure.
bool answer(char result, const char* what) {
    if (result == 0) return false;
    if (result == 1) return true;
    fail(what);
}
}  // namespace

bool intersects(const GEOSGeometry* a, const GEOSGeometry* b) {
    return answer(GEOSIntersects_r(h(), a, b), "intersects");
}
bool disjoint(const GEOSGeometry* a, const GEOSGeometry* b) { return answer(GEOSDisjoint_r(h(), a, b), "disjoint"); }
bool contains(const GEOSGeometry* a, const GEOSGeometry* b) { return answer(GEOSContains_r(h(), a, b), "contains"); }
bool within(const GEOSGeometry* a, const GEOSGeometry* b) { return answer(GEOSWithin_r(h(), a, b), "within"); }
bool covers(const GEOSGeometry* a, const GEOSGeometry* b) { return answer(GEOSCovers_r(h(), a, b), "covers"); }
bool covered_by(const GEOSGeometry* a, const GEOSGeometry* b) {
    return answer(GEOSCoveredBy_r(h(), a, b), "covered by");
}
bool touches(const GEOSGeometry* a, const GEOSGeometry* b) { return answer(GEOSTouches_r(h(), a, b), "touches"); }
bool overlaps(const GEOSGeometry* a, const GEOSGeometry* b) { return answer(GEOSOverlaps_r(h(), a, b), "overlaps"); }
bool is_valid(const GEOSGeometry* g) { return answer(GEOSisValid_r(h(), g), "validity check"); }
bool is_empty(const GEOSGeometry* g) { return answer(GEOSisEmpty_r(h(), g), "emptiness check"); }

int orientation_index(double x0, double y0, double x1, double y1, double px, double py) {
    const int r = GEOSOrientationIndex_r(h(), x0, y0, x1, y1, px, py);
    if (r < -1 || r > 1) fail("orientation index");
    return r;
}

prepared_ptr prepare(const GEOSGeometry* g) {
    const GEOSPreparedGeometry* p = GEOSPrepare_r(h(), g);
    if (!p) fail("prepare");
    return prepared_ptr(p, prepared_deleter{h()});
}

bool intersects(const GEOSPreparedGeometry* a, const GEOSGeometry* b) {
    return answer(GEOSPreparedIntersects_r(h(), a, b), "prepared intersects");
}
bool contains(const GEOSPreparedGeometry* a, const GEOSGeometry* b) {
    return answer(GEOSPreparedContains_r(h(), a, b), "prepared contains");
}
bool contains_properly(const GEOSPreparedGeometry* a, const GEOSGeometry* b) {
    return answer(GEOSPreparedContainsProperly_r(h(), a, b), "prepared contains properly");
}
bool covers(const GEOSPreparedGeometry* a, const GEOSGeometry* b) {
    return answer(GEOSPreparedCovers_r(h(), a, b), "prepared covers");
}
bool within(const GEOSPreparedGeometry* a, const GEOSGeometry* b) {
    return answer(GEOSPreparedWithin_r(h(), a, b), "prepared within");
}

}  // namespace microplan::geo::geos
