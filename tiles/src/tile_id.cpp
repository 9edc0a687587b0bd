#include "microplan/tiles/tile_id.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

#include "microplan/tiles/geometry.hpp"

namespace microplan::tiles {

namespace {

std::optional<std::uint32_t> parse_uint(std::string_view s) {
    if (s.empty() || s.size() > 10) return std::nullopt;
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}
}  // namespace

std::optional<tile_id> parse_tile(std::string_view z, std::string_view x, std::string_view y) {
    auto zz = parse_uint(z), xx = parse_uint(x), yy = parse_uint(y);
    if (!zz || !xx || !yy || *zz > max_zoom) return std::nullopt;
    std::uint32_t n = 1u << *zz;
    if (*xx >= n || *yy >= n) return std::nullopt;
    return tile_id{*zz, *xx, *yy};
}

mercator_bounds bounds(const tile_id& t) {
    double size = 2 * half_world / static_cast<double>(1u << t.z);
    double minx = -half_world + t.x * size;
    double maxy = half_world - t.y * size;
    return {minx, maxy - size, minx + size, maxy};
}

tile_id tile_for_lonlat(double lon, double lat, std::uint32_t z) {
    constexpr double max_lat = 85.0511287798066;
    lat = std::clamp(lat, -max_lat, max_lat);
    lon = std::clamp(lon, -180.0, 180.0);
    double n = static_cast<double>(1u << z);
    double xf = (lon + 180.0) / 360.0 * n;
    double rad = lat * std::numbers::pi / 180.0;
    double yf = (1.0 - std::asinh(std::tan(rad)) / std::numbers::pi) / 2.0 * n;
    auto clampi = [n](double v) { return static_cast<std::uint32_t>(std::clamp(std::floor(v), 0.0, n - 1)); };
    return {z, clampi(xf), clampi(yf)};
}

}  // namespace microplan::tiles
