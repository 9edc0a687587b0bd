#pragma once
// Accessibility of a store's establishments: the steps of issue "accessibility" put together
// over a planning store — which establishments, travel time or straight-line distance from
// every inhabited cell, and the statistics per unit of every level the store holds.
#include <string>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/store/accessibility.hpp"
#include "microplan/geo/territory/unit.hpp"

namespace microplan::geo::access {

// Existing establishments of a sector (and typology, "" = all) with usable coordinates, in `crs`.
struct establishment_points {
    std::vector<std::int64_t> fid;  // store fid
    std::vector<std::string> code, name, typology;
    std::vector<double> x, y;
    std::vector<double> capacity;  // 0 when unknown
    [[nodiscard]] std::size_t size() const noexcept { return fid.size(); }
};
establishment_points read_establishment_points(sqlite::connection& db, const std::string& sector,
                                               const std::string& typology, const std::string& crs);

struct accessibility_options {
    std::string sector, typology;
    std::vector<double> thresholds = {15, 30, 60, 120};  // minutes (km for distance)
    neighbourhood moves = neighbourhood::queen;
    double max_minutes = 0;  // 0: no limit
};

// Every level the store holds (geometries in WGS 84), read once for several runs.
std::vector<unit_layer> read_unit_levels(sqlite::connection& db);

// Statistics of `values` (one per occupied population cell) for every unit of every level
// given: level name -> code -> statistics.
std::map<std::string, std::map<std::string, unit_access>> statistics_by_level(std::span<const unit_layer> levels,
                                                                             const population_grid& pop,
                                                                             std::span<const float> values,
                                                                             std::span<const double> thresholds);

struct travel_time_result {
    store::accessibility_run run;  // not yet written
    cost_distance_result times;    // on the surface's grid, minutes; nearest = index into `sources`
    establishment_points sources;
    std::vector<float> at_people;  // minutes at each occupied population cell
};
// Travel time from every cell to the nearest establishment over `surface` (minutes per cell);
// `pop` must have its centres in the surface's CRS.
// `levels`: read_unit_levels(db), shared by several runs.
travel_time_result travel_time_accessibility(sqlite::connection& db, std::span<const unit_layer> levels,
                                             const cost_surface& surface, const population_grid& pop,
                                             const accessibility_options& options);

// Straight-line distance (km) from each occupied cell centre to the nearest establishment;
// `pop` must have its centres in a projected CRS (metres).
// `km_out`, when given, receives the distance of each occupied cell (pop.occupied order).
store::accessibility_run distance_accessibility(sqlite::connection& db, std::span<const unit_layer> levels,
                                                const population_grid& pop, const accessibility_options& options,
                                                std::vector<float>* km_out = nullptr);

// Catchment polygons (GDALPolygonize of the nearest-establishment raster) in a GeoPackage
// layer `catchments`: establishment fid, code, name, people and area.
void write_catchments(const std::string& path, const grid& g, std::span<const std::int32_t> nearest,
                      const establishment_points& sources, const population_grid* pop = nullptr);

}  // namespace microplan::geo::access
