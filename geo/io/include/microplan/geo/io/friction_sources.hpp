#pragma once
// The sources of a friction surface (AccessMod's "merged land cover") read onto one grid: the
// land-cover classes, speed tables, roads burnt into cells (the fastest road winning),
// barrier cells and a DEM resampled onto the grid. access/friction.hpp turns them into
// minutes per cell without reading anything. Without land cover (friction_inputs::walk_kmh),
// the grid is given explicitly or by the DEM and every cell is walked at one speed: such a
// surface lacks land cover (forests, rivers, wetlands are not slower), which callers say.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/model/raster.hpp"

namespace microplan::geo {

// The grid of a surface without land cover: a projected CRS, a cell size and an extent
// (xmin, ymin, xmax, ymax in that CRS; none = the DEM's extent), snapped outwards to whole
// cells (multiples of the resolution).
struct grid_request {
    std::string crs = "EPSG:32717";
    double resolution = 100;  // metres
    std::optional<std::array<double, 4>> extent;
};

struct friction_inputs {
    std::string landcover;               // raster of integer classes ("" = no land cover: give walk_kmh)
    std::string speeds;                  // table: class, speed_kmh [, mode]
    double walk_kmh = 0;                 // without land cover: every cell walked at this speed (flat ground)
    grid_request grid;                   // without land cover: the grid
    std::string roads;                   // optional line layer source
    std::string roads_layer;             // "" = "lines" when present, else the first layer
    std::string road_field = "highway";  // several: comma-separated (read_roads)
    std::string road_speeds;             // table: class, speed_kmh
    std::vector<std::string> barriers;
    std::string elevation;  // optional DEM
};

// A speed table `class,speed_kmh[,mode]` (English or Spanish column names; decimal commas
// accepted). Throws format_error naming the file, line and column of a bad row.
struct speed_row {
    double kmh = 0;
    bool walking = true;
};
std::map<std::string, speed_row> read_speed_table(const std::string& path, bool with_mode);

// The roads of a line source with a speed for their class, in `target_crs`: `layer` ("" =
// "lines" when the source has it, as OSM files do, else the first) and the class `field`
// (several comma-separated fields: their values joined by '|', "No Pavimentada|Transitable
// en tiempo bueno o seco"; an empty value stays empty, "CARRETERA|").
// Roads without a speed (class missing from `speeds` or speed 0) are counted and their classes
// listed. Throws format_error (missing field) or crs_error naming the feature.
struct road {
    double kmh = 0;
    std::unique_ptr<OGRGeometry> geometry;
    long long fid = 0;
};
struct road_set {
    std::string path, layer;  // where the roads were read, for messages
    std::vector<road> roads;
    std::size_t skipped = 0;
    std::vector<std::string> skipped_classes;
};
road_set read_roads(const std::string& path, const std::string& layer, const std::string& field,
                    const std::map<std::string, speed_row>& speeds, const std::string& target_crs);

// The cells of `g` covered by the features of every layer of each source: polygons cover the
// cells whose centre they hold (every cell they touch with `polygons_all_touched`), lines every
// cell they touch (GDAL's rasteriser).
std::vector<std::uint8_t> cells_covered(const grid& g, const std::vector<std::string>& sources,
                                        bool polygons_all_touched = false);

// The speed of the fastest of `roads` touching each cell of `g` (0 where none).
std::vector<float> road_speeds_on_grid(const grid& g, road_set roads);

// The grid of `request`: its extent, else the bounds of the raster `dem` transformed to the
// CRS. Throws crs_error (geographic or unknown CRS) or format_error (no extent and no DEM, a
// resolution not above 0, an empty extent, more than 2^31 cells).
grid grid_for(const grid_request& request, const std::string& dem);

// Everything a friction surface is made of, on the land cover's grid.
struct friction_layers {
    std::string landcover, speeds_source, road_speeds_source;  // paths, for messages
    bool without_landcover = false;                            // walk_kmh everywhere: the surface lacks land cover
    grid g;
    std::vector<std::int32_t> classes;        // land-cover class per cell
    std::vector<std::uint8_t> known;          // 0 where the land cover has no data
    std::map<std::string, speed_row> speeds;  // land-cover class -> speed
    std::vector<std::uint8_t> barrier;        // 1 where a barrier covers the cell (empty: none)
    std::vector<float> road_kmh;              // speed of the fastest road in the cell, 0 none (empty: no roads)
    std::size_t roads_used = 0, roads_skipped = 0;
    std::vector<std::string> skipped_classes;  // road classes without a speed
    std::vector<float> elevation;              // metres, NaN unknown (empty: no DEM)
};

// Reads every source of `in` onto the land cover's grid (without land cover: onto
// grid_for(in.grid, in.elevation), one class "0" walked at in.walk_kmh, and the cells where
// the DEM has no data, the sea in SRTM, impassable). Throws format_error naming the file,
// layer or feature: an unreadable source, a speed that is not a number, a geographic land
// cover, roads without a speed table, a road that cannot be transformed.
friction_layers read_friction_layers(const friction_inputs& in);

}  // namespace microplan::geo
