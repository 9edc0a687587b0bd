#pragma once
// The friction surface of travel time (AccessMod's "merged land cover"): minutes to cross
// each cell, built from
//   - a land-cover raster (its grid is the surface's grid; projected CRS) and a speed table
//     `class,speed_kmh[,mode]` (mode `walking` (default) or `motorised`; speed 0 = impassable);
//   - road lines from any GDAL vector source (OpenStreetMap files through GDAL's OSM driver,
//     layer `lines`), with a speed per class of a field (`highway`), burnt into every cell a
//     road touches, the fastest road winning;
//   - barrier layers (water, protected areas): cells they cover become impassable, except
//     where a road crosses (a bridge);
//   - optionally an elevation raster (any CRS and resolution; resampled bilinearly onto the
//     grid) for slope-dependent walking (cost_distance.hpp).
// Stacking order, top first: roads, barriers, land cover. A cell's cost is
// ew_res / speed, in minutes (r.cost's convention: the cost of crossing the cell).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/core/gdal.hpp"

namespace microplan::geo::access {

struct friction_inputs {
    std::string landcover;    // raster of integer classes
    std::string speeds;       // table: class, speed_kmh [, mode]
    std::string roads;        // optional line layer source
    std::string roads_layer;  // "" = "lines" when present, else the first layer
    std::string road_field = "highway";
    std::string road_speeds;  // table: class, speed_kmh
    std::vector<std::string> barriers;
    std::string elevation;  // optional DEM
};

struct friction_summary {
    std::size_t impassable = 0, road_cells = 0, barrier_cells = 0;
    std::size_t roads_used = 0, roads_skipped = 0;  // features with / without a speed for their class
    std::vector<std::string> skipped_classes;       // road classes without a speed (OSM footway, ...)
};

// A speed table `class,speed_kmh[,mode]` (English or Spanish column names; decimal commas
// accepted). Throws format_error naming the file, line and column of a bad row.
struct speed_row {
    double kmh = 0;
    bool walking = true;
};
std::map<std::string, speed_row> read_speed_table(const std::string& path, bool with_mode);

// The roads of a line source with a speed for their class, in `target_crs`: `layer` ("" =
// "lines" when the source has it, as OSM files do, else the first) and the class `field`.
// Roads without a speed (class missing from `speeds` or speed 0) are counted and their classes
// listed. Throws format_error (missing field) or crs_error naming the feature.
struct road {
    double kmh = 0;
    std::unique_ptr<OGRGeometry> geometry;
    long long fid = 0;
};
struct road_set {
    std::string layer;
    std::vector<road> roads;
    std::size_t skipped = 0;
    std::vector<std::string> skipped_classes;
};
road_set read_roads(const std::string& path, const std::string& layer, const std::string& field,
                    const std::map<std::string, speed_row>& speeds, const std::string& target_crs);

// The cells of `g` covered by the features of every layer of each source: polygons cover the
// cells whose centre they hold, lines every cell they touch (GDAL's rasteriser).
std::vector<std::uint8_t> cells_covered(const grid& g, const std::vector<std::string>& sources);

// Throws format_error naming the file, class or feature: a land-cover class without a speed,
// a speed that is not a number, an unreadable layer, a geographic land-cover raster.
cost_surface build_friction(const friction_inputs& in, friction_summary* summary = nullptr);

}  // namespace microplan::geo::access
