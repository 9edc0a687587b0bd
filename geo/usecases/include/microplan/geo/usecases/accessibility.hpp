#pragma once
// Accessibility of a store's establishments: which establishments (read from the store), the
// friction surface (a ready-made raster or built from land cover, speeds, roads, barriers and a
// DEM), then travel time, straight-line distance or network time from every inhabited cell and
// the statistics per unit of every level the store holds (computed by
// access/population_access.hpp), written back to the store as one accessibility run; rasters
// and catchment layers go to an output folder when asked. Also the plain accumulated cost of
// any sources over a friction raster (GRASS r.cost). Deterministic for the same inputs.
#include <cstddef>
#include <string>
#include <vector>

#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/io/friction_sources.hpp"
#include "microplan/geo/io/point_sources.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/progress.hpp"

namespace microplan::geo::usecases {

// Existing establishments of a sector (and typology, "" = all) with usable coordinates, in `crs`.
establishment_points read_establishment_points(store::planning_store& db, const std::string& sector,
                                               const std::string& typology, const std::string& crs);

// Every level the store holds (geometries in WGS 84), read once for several runs.
std::vector<unit_layer> read_unit_levels(store::planning_store& db);

// access::travel_time_accessibility for the store's establishments of options.sector.
access::travel_time_result travel_time_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                                     const cost_surface& surface, const population_grid& pop,
                                                     const access::accessibility_options& options);

// access::distance_accessibility for the store's establishments of options.sector.
accessibility_run distance_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                         const population_grid& pop, const access::accessibility_options& options,
                                         std::vector<float>* km_out = nullptr);

// --- the friction surface

// A ready-made friction raster (minutes to cross each cell) or the sources to build it from.
struct surface_request {
    std::string friction;     // "" = build from `sources`
    friction_inputs sources;  // landcover and speeds required when building
    bool knight = false;      // 16 neighbours instead of 8
};
// Reads or builds the surface; a built one's summary (cells, roads, barriers) goes to
// `on_progress`. Throws format_error: neither a friction raster nor land cover with speeds, or
// a DEM with a ready-made raster (slope needs the land cover's walking cells).
cost_surface load_surface(const surface_request& request, const progress& on_progress = {});

struct friction_written {
    std::size_t cols = 0, rows = 0;
    bool with_elevation = false;  // slope is applied at travel time, not in the file
};
// Builds the surface and writes it to `out` (GeoTIFF, minutes per cell, Float32).
friction_written write_friction_surface(const surface_request& request, const std::string& out,
                                        const progress& on_progress = {});

// --- accumulated cost of any sources (GRASS r.cost)

struct cost_request {
    std::string cost;           // friction raster (no-data = impassable)
    std::string sources;        // point layer, or a table with x, y in the raster's CRS
    std::string sources_layer;  // "" = the only layer of `sources` holding points or x, y
    point_source_fields fields;
    std::string out;      // accumulated cost GeoTIFF (Float32)
    std::string nearest;  // GeoTIFF of the source each cell is reached from ("" = none)
    bool knight = false;
    double max_cost = 0;  // 0 = no limit
    progress on_progress;
};
struct cost_summary {
    std::size_t reached = 0, cells = 0, unplaced = 0;  // unplaced: outside the grid or impassable
    double peak = 0;                                   // highest finite accumulated cost
    double read_seconds = 0, cost_seconds = 0, write_seconds = 0;
};
cost_summary accumulate_cost(const cost_request& request);

// --- accessibility runs of a store's establishments

// What every run reads and where it writes.
struct accessibility_request {
    std::string store;       // its establishments and units
    std::string sector;      // any spelling (salud, health)
    std::string typology;    // "" = every typology of the sector
    std::string population;  // population raster (any CRS): people per cell
    std::vector<double> thresholds;
    std::string out_dir;    // rasters and layers written there ("" = none)
    bool store_run = true;  // write the statistics into the store
    progress on_progress;
};
struct run_summary {
    accessibility_run run;  // as stored (when asked)
    std::size_t cells = 0;  // travel time: cells reached; distance: inhabited cells
};

// Travel time over the surface. The sector's standard travel times join the thresholds (so
// indicators find theirs). Throws format_error when the store has no such establishments.
run_summary run_travel_time(const accessibility_request& request, const surface_request& surface,
                            double max_minutes = 0);

// Straight-line distance (km thresholds) in the store's analysis CRS.
run_summary run_distance(const accessibility_request& request);

struct road_network {
    std::string roads;        // line source (OSM files use the layer 'lines')
    std::string roads_layer;  // "" = 'lines' when present, else the first
    std::string road_field = "highway";
    std::string road_speeds;  // table: class, speed_kmh
    double walk_kmh = 5.0;    // to, from and instead of the network
    double snap_m = 1.0;      // vertices closer than this are one node
};
// Travel time on the road graph with walking off it. The standard times join the thresholds.
run_summary run_network(const accessibility_request& request, const road_network& network);

}  // namespace microplan::geo::usecases
