#include "microplan/geo/access/friction.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "microplan/geo/error.hpp"

namespace microplan::geo::access {

cost_surface build_friction(const friction_layers& in, friction_summary* summary) {
    friction_summary sum;
    cost_surface s;
    s.g = in.g;
    const grid& g = s.g;
    const std::size_t n = g.cells();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    s.cost.assign(n, nan);
    std::map<std::int32_t, speed_row> by_class;
    for (const auto& [cls, row] : in.speeds) {
        char* end = nullptr;
        long v = std::strtol(cls.c_str(), &end, 10);
        if (end == cls.c_str() || *end != '\0')
            throw format_error({in.speeds_source, {}, {}, "class", {}}, "class not an integer",
                               "land-cover classes are raster values; '" + cls + "' is not one");
        by_class[static_cast<std::int32_t>(v)] = row;
    }
    std::map<std::int32_t, std::size_t> missing;
    s.walking.assign(n, 1);
    const double minutes_per_kmh = g.ew_res * 60.0 / 1000.0;  // crossing one cell at 1 km/h
    for (std::size_t i = 0; i < n; ++i) {
        if (!in.known[i]) continue;
        auto it = by_class.find(in.classes[i]);
        if (it == by_class.end()) {
            ++missing[in.classes[i]];
            continue;
        }
        s.cost[i] = it->second.kmh > 0 ? static_cast<float>(minutes_per_kmh / it->second.kmh) : nan;
        s.walking[i] = it->second.walking ? 1 : 0;
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& [cls, count] : missing)
            list += (list.empty() ? "" : ", ") + std::to_string(cls) + " (" + std::to_string(count) + " cells)";
        throw format_error({in.speeds_source, {}, {}, "class", {}}, "land-cover class without a speed",
                           "the land cover " + in.landcover + " has classes the table does not list: " + list);
    }

    // Barriers: impassable where covered.
    for (std::size_t i = 0; i < in.barrier.size(); ++i)
        if (in.barrier[i]) s.cost[i] = nan, ++sum.barrier_cells;

    // Roads on top: the fastest road touching a cell sets its speed (bridges cross barriers).
    sum.roads_used = in.roads_used;
    sum.roads_skipped = in.roads_skipped;
    sum.skipped_classes = in.skipped_classes;
    for (std::size_t i = 0; i < in.road_kmh.size(); ++i)
        if (in.road_kmh[i] > 0 && in.known[i]) {
            s.cost[i] = static_cast<float>(minutes_per_kmh / in.road_kmh[i]);
            s.walking[i] = 0;
            ++sum.road_cells;
        }

    s.elevation = in.elevation;
    for (float c : s.cost) sum.impassable += std::isnan(c) ? 1 : 0;
    if (summary) *summary = std::move(sum);
    return s;
}

}  // namespace microplan::geo::access
