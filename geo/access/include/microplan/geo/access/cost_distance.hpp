#pragma once
// Accumulated cost (travel time) over a friction raster from many sources at once: the
// engine under accessibility (AccessMod's travel-time step; GRASS r.cost's algorithm and
// cost model, so the two give the same values).
//
// Cost model (that of r.cost, docs/accessibility.md): a cell's value is the cost of crossing
// it east–west; a move between neighbours costs the mean of the cells it touches times the
// move's length in cell widths:
//   orthogonal   (c_a + c_b) / 2 × 1 (east–west) or × ns/ew (north–south)
//   diagonal     (c_a + c_b) / 2 × √(1 + (ns/ew)²)
//   knight's     (c_a + c_b + c_1 + c_2) / 4 × √(4(ns/ew)² + 1) or √((ns/ew)² + 4), where c_1 and
//                c_2 are the two cells the move passes beside (16 neighbours only)
// A NaN (no-data) cell is impassable, and so is a knight's move beside one.
//
// Slope (anisotropic, as AccessMod's walking on a DEM): when the surface carries an
// elevation, the cost of each "walking" cell a move touches is divided by Tobler's hiking
// function relative to flat ground, exp(−3.5 |S + 0.05|) / exp(−3.5 × 0.05), where S is the
// move's rise over its run in the direction people travel (towards the sources by default:
// from the people to the establishment); the factor is 1.19 at a 5 % descent and is held at
// ≥ 0.01 on very steep moves. Motorised cells (roads) are not slowed by slope. With 8
// neighbours, paths are made of orthogonal and diagonal steps; 16 adds the knight's moves
// (shorter detours, as AccessMod's "knight's move" option).
//
// Algorithm: Dijkstra from every source together with a bucket queue whose buckets are as wide
// as the cheapest possible move, so cells of one bucket cannot improve one another and each
// bucket is settled in any order — by several threads at once (each cell's cost and source
// are one 64-bit word updated by compare-and-swap). O(1) queue operations; falls back to a
// binary heap when some cell costs 0. A cell is queued once per bucket it enters and expanded
// only in the bucket its cost belongs to; each bucket is expanded in memory order (sorted by
// cell), so that neighbouring cells of the front share cache lines and pages. The search keeps
// each cell's cost, elevation and label in one 16-byte record (in 2 MB pages where Linux offers
// them) and asks for the records of the next cells of a bucket ahead of time: it is bound by
// memory reads, not arithmetic.
// Without an elevation and with options.nearest false, it reads the surface's cost array as it
// is and keeps one float per cell, the result's own array (4 bytes a cell instead of 16 + 8).
// Costs accumulate in single precision (7 significant digits: 0.001 on a cost of 10,000).
//
// Thread safety: pure functions over their arguments.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "microplan/geo/model/raster.hpp"

namespace microplan::geo::access {

using geo::cost_surface;
using geo::grid;

// Tobler's walking speed at slope `rise_over_run` relative to flat ground (1 on the flat).
double tobler_factor(double rise_over_run);

enum class neighbourhood { queen = 8, knight = 16 };

struct source {
    double x = 0, y = 0;  // in the grid's CRS
    std::int32_t id = 0;
};

struct cost_distance_options {
    neighbourhood moves = neighbourhood::queen;
    double max_cost = std::numeric_limits<double>::infinity();  // stop expanding beyond it
    unsigned threads = 0;                                       // 0: every core
    // With an elevation: the cost of reaching the sources from each cell (true: people
    // travel to establishments) or of going out from the sources (false). Equal without one.
    bool towards_sources = true;
    // false: only the costs are wanted (result.nearest stays empty); without an elevation the
    // search then keeps one float per cell instead of a 16-byte record.
    bool nearest = true;
};

struct cost_distance_result {
    std::vector<float> cost;            // accumulated; +inf where not reached
    std::vector<std::int32_t> nearest;  // id of the source the cell is reached from; -1 none (empty
                                        // when options.nearest is false)
    std::size_t reached = 0;            // cells with a finite cost
    std::size_t queued = 0;             // entries the bucket queue took (a cell may enter it more than once)
    std::vector<std::size_t> unplaced;  // sources outside the grid or on impassable cells
};

cost_distance_result cost_distance(const cost_surface& surface, std::span<const source> sources,
                                   const cost_distance_options& options = {});

// Reusable memory of cost_distance_from (one per thread).
struct search_workspace {
    std::vector<float> best;
    std::vector<std::uint32_t> touched;
};

// Dijkstra from one cell (binary heap), visiting cells in increasing cost: visit(cell, cost)
// returns false to stop. Stops at options.max_cost. Same cost model and moves as
// cost_distance; for per-establishment catchments and candidate sites.
void cost_distance_from(const cost_surface& surface, std::size_t start, const cost_distance_options& options,
                        search_workspace& ws, const std::function<bool(std::size_t, float)>& visit);

// A many-source result kept up to date as sources come and go (a workshop's proposals), equal
// to cost_distance over the sources present, without recomputing the surface:
//   add     a Dijkstra from the new source that only relaxes the cells it improves (a cell
//           already at the same cost keeps its source, as the first source of a cell wins);
//   remove  the cells reached from the removed source are reset, then filled again by a Dijkstra
//           seeded with the cells around them that other sources reach.
// Costs are summed along the same moves as cost_distance, so they agree with it to the last
// bits of single precision where the shortest path is unique; a cell reached at exactly the
// same cost from two sources may name either. Single-threaded; not thread-safe.
class incremental_cost {
public:
    incremental_cost(const cost_surface& surface, std::span<const source> sources,
                     const cost_distance_options& options = {});
    // Adds a source (its id must be new); false when it lies outside the grid or on an
    // impassable cell (nothing changes).
    bool add(const source& s);
    // Removes every source with `id`; false when there is none.
    bool remove(std::int32_t id);
    [[nodiscard]] const std::vector<float>& cost() const noexcept { return result_.cost; }
    [[nodiscard]] const std::vector<std::int32_t>& nearest() const noexcept { return result_.nearest; }
    // The cells whose cost or source the last add or remove changed.
    [[nodiscard]] const std::vector<std::uint32_t>& changed() const noexcept { return changed_; }

private:
    void relax_from(std::vector<std::pair<float, std::uint32_t>> seeds);
    // Moves `cell` to the list of the source `to` (-1: none), keeping the lists exact.
    void assign(std::uint32_t cell, std::int32_t to);

    const cost_surface& surface_;
    cost_distance_options options_;
    cost_distance_result result_;
    std::vector<std::pair<std::uint32_t, std::int32_t>> sources_;  // (cell, id) placed, in order
    std::vector<std::uint32_t> changed_;
    // The cells each source reaches, and each cell's place in its source's list: a removal
    // visits the removed source's cells only, not the whole grid.
    std::unordered_map<std::int32_t, std::vector<std::uint32_t>> cells_of_;
    std::vector<std::uint32_t> place_;
};

}  // namespace microplan::geo::access
