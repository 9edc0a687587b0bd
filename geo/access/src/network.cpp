#include "microplan/geo/access/network.hpp"

#include <ogrsf_frmts.h>

#include <cmath>
#include <queue>
#include <unordered_map>

#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo::access {

road_graph build_road_graph(const road_set& roads, double snap_m) {
    road_graph gph;
    gph.roads_used = roads.roads.size();
    gph.roads_skipped = roads.skipped;
    std::unordered_map<std::uint64_t, std::uint32_t> node_of;
    auto node = [&](double x, double y) {
        auto kx = static_cast<std::int64_t>(std::llround(x / snap_m)),
             ky = static_cast<std::int64_t>(std::llround(y / snap_m));
        std::uint64_t key = (static_cast<std::uint64_t>(kx) << 32) ^ static_cast<std::uint64_t>(ky & 0xffffffff);
        auto [it, fresh] = node_of.emplace(key, static_cast<std::uint32_t>(gph.x.size()));
        if (fresh) gph.x.push_back(x), gph.y.push_back(y);
        return it->second;
    };
    struct edge {
        std::uint32_t a, b;
        float minutes;
    };
    std::vector<edge> edges;
    for (const road& r : roads.roads) {
        const OGRGeometry* g = r.geometry.get();
        const double metres_per_minute = r.kmh * 1000.0 / 60.0;
        auto add_line = [&](const OGRLineString* l) {
            for (int i = 0; i + 1 < l->getNumPoints(); ++i) {
                auto a = node(l->getX(i), l->getY(i)), b = node(l->getX(i + 1), l->getY(i + 1));
                if (a == b) continue;
                double len = std::hypot(l->getX(i + 1) - l->getX(i), l->getY(i + 1) - l->getY(i));
                edges.push_back({a, b, static_cast<float>(len / metres_per_minute)});
            }
        };
        auto type = wkbFlatten(g->getGeometryType());
        if (type == wkbLineString)
            add_line(g->toLineString());
        else if (type == wkbMultiLineString)
            for (const OGRLineString* part : *g->toMultiLineString()) add_line(part);
        else
            throw format_error({roads.path, roads.layer, r.fid, {}, {}}, "not a line",
                               std::string("roads must be lines; this feature is a ") + g->getGeometryName());
    }
    const std::size_t n = gph.x.size();
    gph.first.assign(n + 1, 0);
    for (const auto& e : edges) ++gph.first[e.a + 1], ++gph.first[e.b + 1];
    for (std::size_t v = 0; v < n; ++v) gph.first[v + 1] += gph.first[v];
    gph.to.resize(2 * edges.size());
    gph.minutes.resize(2 * edges.size());
    std::vector<std::uint32_t> fill(gph.first.begin(), gph.first.end() - 1);
    for (const auto& e : edges) {
        gph.to[fill[e.a]] = e.b, gph.minutes[fill[e.a]++] = e.minutes;
        gph.to[fill[e.b]] = e.a, gph.minutes[fill[e.b]++] = e.minutes;
    }
    return gph;
}

std::vector<float> network_travel_time(const road_graph& graph, std::span<const double> source_x,
                                       std::span<const double> source_y, std::span<const double> point_x,
                                       std::span<const double> point_y, double walk_kmh) {
    const double walk_m_per_min = walk_kmh * 1000.0 / 60.0;
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<float> at_node(graph.nodes(), inf);
    nearest_index nodes(graph.x, graph.y);
    using entry = std::pair<float, std::uint32_t>;
    std::priority_queue<entry, std::vector<entry>, std::greater<>> heap;
    for (std::size_t s = 0; s < source_x.size(); ++s)
        if (auto hit = nodes.nearest(source_x[s], source_y[s])) {
            auto t = static_cast<float>(hit->second / walk_m_per_min);
            auto v = static_cast<std::uint32_t>(hit->first);
            if (t < at_node[v]) at_node[v] = t, heap.emplace(t, v);
        }
    while (!heap.empty()) {
        auto [d, v] = heap.top();
        heap.pop();
        if (d > at_node[v]) continue;
        for (std::uint32_t e = graph.first[v]; e < graph.first[v + 1]; ++e) {
            float nd = d + graph.minutes[e];
            if (nd < at_node[graph.to[e]]) at_node[graph.to[e]] = nd, heap.emplace(nd, graph.to[e]);
        }
    }
    nearest_index direct(std::vector<double>(source_x.begin(), source_x.end()),
                         std::vector<double>(source_y.begin(), source_y.end()));
    std::vector<float> out(point_x.size(), inf);
    for (std::size_t p = 0; p < point_x.size(); ++p) {
        float best = inf;
        if (auto hit = nodes.nearest(point_x[p], point_y[p]))
            best = at_node[hit->first] + static_cast<float>(hit->second / walk_m_per_min);
        if (auto hit = direct.nearest(point_x[p], point_y[p]))
            best = std::min(best, static_cast<float>(hit->second / walk_m_per_min));
        out[p] = best;
    }
    return out;
}

}  // namespace microplan::geo::access
