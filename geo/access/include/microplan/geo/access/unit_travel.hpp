#pragma once
// Travel-time compactness of territorial units: how many minutes the people of each unit travel
// to the unit's seat over a friction surface (cost_distance.hpp's cost model), weighted by people
// - a districting criterion beside the geometric ones (SENPLADES delimits districts by
// "accessibility" too).
//
// Each unit's people sit in cells of the surface's grid. Its seat is the cell given, or the
// best-placed one: of the unit's inhabited, passable cells, the one nearest the people's
// centroid (in grid coordinates). One Dijkstra per unit from its seat (towards the seat, as
// people travel) over the unit's box widened by half its size on each side (10 cells at
// least): paths leave the unit when that is faster, but not the region around it. It stops once
// every cell of the unit is reached, or at max_cost; people it does not reach are counted apart.
//
// Thread safety: a pure function; parallel over units, one search workspace per thread;
// deterministic (each unit's figures come from its own search).
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"

namespace microplan::geo::access {

struct unit_people_cells {
    std::vector<std::uint32_t> cells;  // cells of the surface's grid, ascending, each once
    std::vector<float> people;         // per cell
    std::int64_t seat = -1;            // the seat's cell; -1 = the best-placed cell
};

struct unit_travel {
    std::int64_t seat = -1;  // the cell searched from; -1 when the unit has no passable inhabited cell
    double people = 0;       // in the unit's cells
    double reached = 0;      // of them, within max_cost of the seat
    double mean_minutes = std::numeric_limits<double>::quiet_NaN();  // people-weighted, over those reached
    double max_minutes = std::numeric_limits<double>::quiet_NaN();
};

std::vector<unit_travel> travel_within_units(const cost_surface& surface, std::span<const unit_people_cells> units,
                                             const cost_distance_options& options = {});

// Minutes from `from` to each point of `to` (the surface's CRS), people travelling towards
// `from`, over the part of the surface around them (their box widened by half its size, 10
// cells at least); +inf where a point is unreachable, impassable or off the grid. A start on an
// impassable cell starts from the nearest passable one within 5 cells. Safe from many threads.
std::vector<double> minutes_between(const cost_surface& surface, std::pair<double, double> from,
                                    std::span<const std::pair<double, double>> to,
                                    const cost_distance_options& options = {});

}  // namespace microplan::geo::access
