#pragma once
// One tile address in the XYZ scheme (y grows southwards), as in /tiles/{z}/{x}/{y}.
#include <cstdint>
#include <optional>
#include <string_view>

namespace microplan::tiles {

inline constexpr std::uint32_t max_zoom = 16;

struct tile_id {
    std::uint32_t z = 0, x = 0, y = 0;
    friend bool operator==(const tile_id&, const tile_id&) = default;
};

// Parses z, x, y from text as a client sends them; nullopt for anything that is not a
// tile of zoom 0..max_zoom (non-digits, signs, overflow, x or y beyond 2^z - 1).
std::optional<tile_id> parse_tile(std::string_view z, std::string_view x, std::string_view y);

// Web Mercator (EPSG:3857) bounds of a tile, in metres.
struct mercator_bounds {
    double minx, miny, maxx, maxy;
};
mercator_bounds bounds(const tile_id& t);

// The tile of zoom z holding a lon/lat point (clamped to the Mercator range).
tile_id tile_for_lonlat(double lon, double lat, std::uint32_t z);

}  // namespace microplan::tiles
