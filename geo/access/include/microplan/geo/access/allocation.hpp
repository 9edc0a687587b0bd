#pragma once
// Capacity-limited catchments and where to build next.
//
// Capacity-limited geographic coverage (AccessMod 5's method): establishments are processed
// one after another in a documented order (largest capacity first, ties by store fid; or the
// store's order); each one's catchment grows outward by travel time over the people no earlier
// establishment took, cell by cell in increasing time, until its capacity is used or the maximum
// time is reached; the last cell is taken in part. What no establishment takes is the residual
// (uncovered) population.
//
// Where to build next (maximal covering location problem, MCLP): candidate cells are the
// passable cells holding uncovered people (people beyond `minutes` from every existing
// establishment) outside exclusion areas, at most `max_candidates` of them (those with most
// uncovered people within `minutes`), or points the planner gives (settlements: every one on a
// passable cell outside the exclusions); a site covers the uncovered people within `minutes` of it.
// The greedy heuristic adds, one at a time, the site covering most people not yet covered
// (lazy evaluation: exact greedy, fewer evaluations). On small instances an exact MIP solved
// with CBC (COIN-OR) gives the optimum for the same K, hence the greedy's optimality gap:
//   max Σ_i w_i y_i  s.t.  y_i <= Σ_{j covers i} x_j,  Σ_j x_j = K,  x_j ∈ {0,1},  0 <= y_i <= 1.
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/model/establishment.hpp"

namespace microplan::geo::access {

// People of the population raster put on the surface's grid (each occupied cell's people in
// the surface cell under its centre); `pop` must have its centres in the surface's CRS.
std::vector<double> people_on_grid(const population_grid& pop, const grid& g);

enum class capacity_order { largest_first, store_order };

struct capacity_row {
    std::size_t source = 0;  // index into the establishment points
    double capacity = 0;     // people it can serve
    double covered = 0;      // people its catchment took
    double reachable = 0;    // people within the maximum time before any was taken (its potential demand)
    double minutes = 0;      // travel time of the last cell taken
    bool placed = true;      // false: outside the grid or on an impassable cell
    [[nodiscard]] double capacity_left() const { return capacity - covered; }
};

struct capacity_result {
    std::vector<capacity_row> rows;       // in processing order
    std::vector<double> residual;         // people left per surface cell
    std::vector<std::int32_t> catchment;  // per cell: the establishment (index) that took people from it first; -1 none
    double total = 0, covered = 0;
};

// `count_reach` false: each search stops once its capacity is used (rows' `reachable` then
// counts only the people met until then); what is covered is the same, found much sooner.
capacity_result capacity_catchments(const cost_surface& surface, std::vector<double> people,
                                    const establishment_points& sources, double max_minutes,
                                    capacity_order order = capacity_order::largest_first,
                                    neighbourhood moves = neighbourhood::queen, bool count_reach = true);

// A candidate site given by the planner (a settlement, a plot): in the surface's CRS.
struct candidate_point {
    double x = 0, y = 0;
    std::string id, name;
};

struct site_options {
    double minutes = 30;                // coverage threshold
    std::size_t k = 5;                  // sites to add (upper bound when a target is given)
    std::optional<double> target_pct;   // stop once this % of all people is covered
    std::size_t max_candidates = 2000;  // candidate cells (ignored with `points`)
    // Given candidates: each point on a passable cell outside the exclusions is one (the first
    // of several in one cell); empty = the candidate cells above.
    std::vector<candidate_point> points;
    neighbourhood moves = neighbourhood::queen;
    bool exact = false;  // also solve the MIP with CBC (small instances only)
    std::size_t exact_max_candidates = 400;
    double exact_seconds = 60;  // CBC time limit
};

struct site {
    std::size_t cell = 0;
    double x = 0, y = 0;        // cell centre (a given candidate: its point) in the surface's CRS
    std::ptrdiff_t point = -1;  // index into site_options::points, -1 for a candidate cell
    double added = 0;           // people newly covered by this site
    double covered_after = 0;   // % of all people covered once it is built
};

struct site_result {
    double total = 0, covered_before = 0;  // people; covered within `minutes` by existing establishments
    std::vector<site> greedy;
    std::size_t candidates = 0, demand_cells = 0;
    std::size_t points_unusable = 0;  // given candidates outside the grid, impassable, excluded or sharing a cell
    // Exact MIP on the (possibly reduced) instance: the optimum people added for the same K,
    // and the greedy's relative gap (optimum − greedy) / optimum; empty when not solved.
    std::optional<double> exact_added, gap;
    std::vector<site> exact_sites;
    std::string exact_status;      // "optimal", "time limit", "skipped: ..."
    std::size_t exact_groups = 0;  // demand rows of the MIP (cells covered by the same candidates merged)
};

// `people` per surface cell; `existing` are kept fixed; `excluded` marks cells where no site
// may go (may be empty).
site_result propose_sites(const cost_surface& surface, const std::vector<double>& people,
                          const establishment_points& existing, const std::vector<std::uint8_t>& excluded,
                          const site_options& options);
// The same from the minutes to the existing establishments already known per cell (a scenario's
// live travel time, access/live_travel.hpp): the search from them is not repeated.
site_result propose_sites(const cost_surface& surface, const std::vector<double>& people,
                          std::span<const float> existing_minutes, const std::vector<std::uint8_t>& excluded,
                          const site_options& options);

}  // namespace microplan::geo::access
