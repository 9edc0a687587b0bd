#pragma once
// Plain geometry for tiling: Web Mercator (EPSG:3857) metres in doubles, and integer
// "world pixels" of a zoom level (tile x * extent + tile-local coordinate, y down), in which
// every tile of that zoom shares one grid, so a vertex shared by two features lands on the
// same integer point in every tile.
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <vector>

namespace microplan::tiles {

inline constexpr double half_world = 20037508.342789244;  // pi * 6378137
inline constexpr std::uint32_t tile_extent = 4096;

struct point {
    double x = 0, y = 0;
    friend bool operator==(const point&, const point&) = default;
};
using ring = std::vector<point>;  // open: the closing vertex is not repeated
struct polygon {
    std::vector<ring> rings;  // rings[0] is the exterior, the rest are holes
};
using multipolygon = std::vector<polygon>;

struct box {
    double minx = std::numeric_limits<double>::infinity(), miny = std::numeric_limits<double>::infinity();
    double maxx = -std::numeric_limits<double>::infinity(), maxy = -std::numeric_limits<double>::infinity();
    void extend(const point& p) {
        minx = std::min(minx, p.x), miny = std::min(miny, p.y);
        maxx = std::max(maxx, p.x), maxy = std::max(maxy, p.y);
    }
    void extend(const box& b) {
        minx = std::min(minx, b.minx), miny = std::min(miny, b.miny);
        maxx = std::max(maxx, b.maxx), maxy = std::max(maxy, b.maxy);
    }
    [[nodiscard]] bool empty() const { return minx > maxx; }
    [[nodiscard]] bool intersects(const box& b) const {
        return !(b.minx > maxx || b.maxx < minx || b.miny > maxy || b.maxy < miny);
    }
};

// Spherical Mercator of a WGS 84 lon/lat (latitudes clamped to the Mercator range).
inline point lonlat_to_mercator(double lon, double lat) {
    constexpr double r = 6378137.0, max_lat = 85.0511287798066;
    lat = std::fmax(-max_lat, std::fmin(max_lat, lat));
    return {r * lon * std::numbers::pi / 180.0,
            r * std::log(std::tan(std::numbers::pi / 4 + lat * std::numbers::pi / 360.0))};
}
inline point mercator_to_lonlat(const point& p) {
    constexpr double r = 6378137.0;
    return {p.x / r * 180.0 / std::numbers::pi,
            (2 * std::atan(std::exp(p.y / r)) - std::numbers::pi / 2) * 180.0 / std::numbers::pi};
}

// Size of one world pixel at zoom z, in metres.
inline double pixel_size(std::uint32_t z) {
    return 2 * half_world / (static_cast<double>(tile_extent) * static_cast<double>(1u << z));
}

struct pixel {
    std::int32_t x = 0, y = 0;
    friend bool operator==(const pixel&, const pixel&) = default;
};
// The world pixel of zoom z nearest to a Mercator point (fits int32 up to zoom 18).
inline pixel to_pixel(const point& p, double pixel_size) {
    return {static_cast<std::int32_t>(std::llround((p.x + half_world) / pixel_size)),
            static_cast<std::int32_t>(std::llround((half_world - p.y) / pixel_size))};
}

}  // namespace microplan::tiles
