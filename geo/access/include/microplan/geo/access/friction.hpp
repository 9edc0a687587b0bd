#pragma once
// The friction surface of travel time (AccessMod's "merged land cover"): minutes to cross
// each cell, from the layers io/friction_sources.hpp reads onto one grid:
//   - land-cover classes (the grid; projected CRS) and a speed table `class,speed_kmh[,mode]`
//     (mode `walking` (default) or `motorised`; speed 0 = impassable);
//   - roads with a speed per class, burnt into every cell a road touches, the fastest winning;
//   - barriers (water, protected areas): cells they cover become impassable, except where a
//     road crosses (a bridge);
//   - optionally an elevation resampled onto the grid, for slope-dependent walking
//     (cost_distance.hpp).
// Stacking order, top first: roads, barriers, land cover. A cell's cost is ew_res / speed, in
// minutes (r.cost's convention: the cost of crossing the cell). Pure: reads nothing.
#include <string>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/io/friction_sources.hpp"

namespace microplan::geo::access {

struct friction_summary {
    std::size_t impassable = 0, road_cells = 0, barrier_cells = 0;
    std::size_t roads_used = 0, roads_skipped = 0;  // features with / without a speed for their class
    std::vector<std::string> skipped_classes;       // road classes without a speed (OSM footway, ...)
};

// Throws format_error naming the speed table and class: a land-cover class without a speed,
// a class that is not an integer.
cost_surface build_friction(const friction_layers& in, friction_summary* summary = nullptr);

}  // namespace microplan::geo::access
