#pragma once
// Region growth: the pieces of one parent shared among its outputs, population-balanced and
// contiguous (seeds, growth, Lloyd rounds, flips; partition.hpp gives the method).
// Deterministic for a problem and seed; grow_region may run on many threads over one graph.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "microplan/geo/design/pieces.hpp"

namespace microplan::geo::design {

// One design problem: the pieces of one parent shared among `targets.size()` outputs.
// Travel time (minutes) from one point to many, in the analysis CRS (+inf where unreachable);
// must be safe to call from several threads at once.
using travel_minutes =
    std::function<std::vector<double>(std::pair<double, double> from, std::span<const std::pair<double, double>> to)>;

struct region_problem {
    std::vector<std::uint32_t> pieces;  // the region's pieces (indices into the graph)
    std::vector<double> targets;        // people per output
    // Per atom of the region (key: atom index) the outputs that may take its pieces; an
    // atom absent from the map (or with an empty list) may go to any output. One allowed
    // output fixes the atom's pieces to it.
    std::vector<std::pair<std::uint32_t, std::vector<int>>> allowed;
    // Optional starting points per output (analysis CRS), e.g. a district's office: the
    // output starts from the piece it may take nearest to it instead of a random seed.
    std::vector<std::optional<std::pair<double, double>>> seed_points;
    std::uint64_t seed = 1;
    int rounds = 8;  // Lloyd rounds after the first growth
    // Free atoms stay with the output the first growth gave them and count in its target
    // (the codification does not say where they go; the split parts balance the totals).
    bool settle_free = false;
    // Optional: with it, seeds are spread by travel time (k-means++ over minutes) and outputs
    // grow along it (the least-filled output takes the piece on its frontier its seed reaches
    // soonest), so units follow roads and stop at rivers and ridges; without it, straight-line
    // distance.
    travel_minutes travel;
};

struct region_result {
    std::vector<int> output_of;      // per region piece (same order as problem.pieces)
    std::vector<double> population;  // per output
    std::vector<double> targets;     // per output, with the settled free atoms
    std::size_t unreachable = 0;     // pieces given to an output they do not touch
};

region_result grow_region(const piece_graph& graph, const region_problem& problem);

// Targets for the `outputs` of `problem`: each output's fixed pieces, plus, for every atom
// split among several outputs, a share of its people in proportion to weight(atom, output)
// (e.g. how many circuits of a district lie in the city parish). Free atoms (any output may
// take them) go to whoever grows into them and count in no target. Returns, per output,
// whether the design shapes it (false: its territory is fixed).
std::vector<bool> balanced_targets(const piece_graph& graph, region_problem& problem, std::size_t outputs,
                                   const std::function<double(std::uint32_t, int)>& weight);

}  // namespace microplan::geo::design
