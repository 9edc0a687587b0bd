#pragma once
// GEOS through its reentrant C API only. One context per thread (`thread_context()`),
// geometries owned by `geom_ptr`, whose deleter carries the context that destroys them.
#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif
#include <geos_c.h>

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace microplan::geo::geos {

// A GEOS context with its last error message. Not thread-safe: one per thread.
class context {
public:
    context();
    ~context();
    context(const context&) = delete;
    context& operator=(const context&) = delete;

    [[nodiscard]] GEOSContextHandle_t handle() const noexcept { return handle_; }
    // The last message GEOS reported on this context ("" when none).
    [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

private:
    static void on_error(const char* message, void* userdata);
    GEOSContextHandle_t handle_;
    std::string last_error_;
};

// The calling thread's context, leased from a process-wide pool on first use and returned
// when the thread ends; contexts are never finished, so a geometry made on a worker thread
// may be destroyed later on any thread.
context& thread_context();

struct geom_deleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const noexcept {
        if (g) GEOSGeom_destroy_r(ctx, g);
    }
};
using geom_ptr = std::unique_ptr<GEOSGeometry, geom_deleter>;

struct prepared_deleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const noexcept {
        if (g) GEOSPreparedGeom_destroy_r(ctx, g);
    }
};
using prepared_ptr = std::unique_ptr<const GEOSPreparedGeometry, prepared_deleter>;

// Takes ownership of `g` (may be null) on the thread's context.
geom_ptr own(GEOSGeometry* g);
// Clones `g` on the thread's context.
geom_ptr clone(const GEOSGeometry* g);

geom_ptr from_wkb(std::span<const unsigned char> wkb);
geom_ptr from_wkt(std::string_view wkt);
std::vector<unsigned char> to_wkb(const GEOSGeometry* g);  // 2D, little endian
std::string to_wkt(const GEOSGeometry* g, int precision = 9);
// The geometry as a GeoJSON geometry object (coordinates as they are: lon/lat for WGS 84).
std::string to_geojson(const GEOSGeometry* g);

// Area / length of a planar geometry; throws geometry_error on a GEOS failure.
double area(const GEOSGeometry* g);
double length(const GEOSGeometry* g);
// A point inside a (non-empty) polygonal geometry: GEOS's point on surface, (x, y).
std::array<double, 2> point_on_surface(const GEOSGeometry* g);

// Union of a set of geometries (cascaded, robust); the inputs are not consumed.
geom_ptr unary_union(std::span<const GEOSGeometry* const> parts);
geom_ptr intersection(const GEOSGeometry* a, const GEOSGeometry* b);
geom_ptr difference(const GEOSGeometry* a, const GEOSGeometry* b);

// Keeps only polygonal parts, as a MultiPolygon (possibly empty).
geom_ptr polygonal_parts_as_multipolygon(const GEOSGeometry* g);

// The polygons of a (Multi)Polygon, borrowed from `g`.
std::vector<const GEOSGeometry*> polygons_of(const GEOSGeometry* g);
// `g` when it is valid, else GEOS MakeValid's result reduced to its polygonal parts (a
// reprojection can turn a valid ring into one that touches itself); null stays null.
geom_ptr valid_polygonal(geom_ptr g);

struct envelope {
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    void expand(const envelope& o);
};
envelope envelope_of(const GEOSGeometry* g);

// A copy of `g` with every coordinate mapped by `fn(double& x, double& y) -> bool`;
// null when fn fails for some coordinate.
template <typename Fn>
geom_ptr transform_xy(const GEOSGeometry* g, Fn&& fn);

// ---- Predicates that throw ------------------------------------------------------------------
// GEOS predicates answer 0 (false), 1 (true) or 2 (GEOS failed): `if (GEOSIntersects_r(...))`
// reads a failure as true and `== 1` reads it as false, both silently. These answer true or
// false and throw geometry_error, with GEOS's last message on the thread's context, on 2.
// They use the calling thread's context, like everything in this header; the prepared ones
// must be called on the thread that prepared the geometry (GEOS builds its indexes lazily,
// without locks).

bool intersects(const GEOSGeometry* a, const GEOSGeometry* b);
bool disjoint(const GEOSGeometry* a, const GEOSGeometry* b);
bool contains(const GEOSGeometry* a, const GEOSGeometry* b);
bool within(const GEOSGeometry* a, const GEOSGeometry* b);
bool covers(const GEOSGeometry* a, const GEOSGeometry* b);
bool covered_by(const GEOSGeometry* a, const GEOSGeometry* b);
bool touches(const GEOSGeometry* a, const GEOSGeometry* b);
bool overlaps(const GEOSGeometry* a, const GEOSGeometry* b);
bool is_valid(const GEOSGeometry* g);
bool is_empty(const GEOSGeometry* g);
// The orientation of (px, py) against the segment (x0, y0) -> (x1, y1), exactly (GEOS's
// double-double predicate): 1 left (counter-clockwise), -1 right, 0 collinear.
int orientation_index(double x0, double y0, double x1, double y1, double px, double py);

// `g` prepared on the thread's context (g must outlive it); throws geometry_error.
prepared_ptr prepare(const GEOSGeometry* g);
bool intersects(const GEOSPreparedGeometry* a, const GEOSGeometry* b);
bool contains(const GEOSPreparedGeometry* a, const GEOSGeometry* b);
bool contains_properly(const GEOSPreparedGeometry* a, const GEOSGeometry* b);
bool covers(const GEOSPreparedGeometry* a, const GEOSGeometry* b);
bool within(const GEOSPreparedGeometry* a, const GEOSGeometry* b);

}  // namespace microplan::geo::geos

#include "microplan/geo/core/geos_impl.hpp"
