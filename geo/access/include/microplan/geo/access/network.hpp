#pragma once
// Travel time on a road network graph with walking off the network (AccessMod's road option
// seen as a graph, as pgRouting or networkx would): nodes are the roads' vertices (vertices
// closer than `snap_m` are one node, so roads that share a vertex are connected; crossing
// lines without a shared vertex are not, as bridges over roads), edges the segments between
// them, both ways, at the speed of their road's class.
//
// A trip from a place to an establishment: walk in a straight line to the nearest node, ride
// the network, walk from the establishment's nearest node to it; or walk straight to the
// nearest establishment when that is quicker. Walking is at `walk_kmh` over the straight-line
// distance (no friction surface).
#include <map>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/io/friction_sources.hpp"

namespace microplan::geo::access {

struct road_graph {
    std::vector<double> x, y;          // nodes, in the graph's CRS
    std::vector<std::uint32_t> first;  // CSR: edges of node v are [first[v], first[v+1])
    std::vector<std::uint32_t> to;
    std::vector<float> minutes;
    std::size_t roads_used = 0, roads_skipped = 0;
    [[nodiscard]] std::size_t nodes() const noexcept { return x.size(); }
    [[nodiscard]] std::size_t edges() const noexcept { return to.size(); }
};

// The graph of `roads` (io/friction_sources.hpp: read_roads, in a projected CRS, metres); vertices
// closer than `snap_m` are one node. Throws format_error naming the feature that is not a line.
road_graph build_road_graph(const road_set& roads, double snap_m = 1.0);

// Minutes from each point to the nearest source (both in the graph's CRS).
std::vector<float> network_travel_time(const road_graph& graph, std::span<const double> source_x,
                                       std::span<const double> source_y, std::span<const double> point_x,
                                       std::span<const double> point_y, double walk_kmh = 5.0);

}  // namespace microplan::geo::access
