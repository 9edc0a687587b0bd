#pragma once
// Who is how far: a population raster's cells with a travel time (or distance) each, and the
// statistics per territorial unit that planners read (AccessMod's "population coverage"):
// people within each threshold (count and %), population-weighted mean and median.
//
// Rules (docs/accessibility.md):
//   - A cell's people are at the time of the place holding the cell's centre (the friction
//     cell under it, or the straight-line distance from it).
//   - A cell cut by a unit border counts with the fraction of its area inside the unit, as in
//     population zonal sums (zonal.hpp), so the units of a level share out the raster's people.
//   - Within a threshold T means time <= T, with times in single precision and no rounding:
//     a cell at 30.0004 min is not within 30. Unreached people (impassable, beyond the maximum
//     time) are in no threshold, not in the mean, and above every other person for the median.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/model/accessibility.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::access {

using geo::population_grid;

// The value of `surface` (a raster result on grid `g`, in `g`'s CRS = the centres' CRS) at
// each occupied cell's centre; +inf outside the grid.
std::vector<float> sample_at_centres(const population_grid& pop, const grid& g, std::span<const float> surface);

// Nearest of a set of points (a uniform grid of buckets searched in growing rings).
class nearest_index {
public:
    nearest_index(std::vector<double> x, std::vector<double> y);
    // Index of the nearest point and its distance; nullopt when empty.
    [[nodiscard]] std::optional<std::pair<std::size_t, double>> nearest(double x, double y) const;
    [[nodiscard]] std::size_t size() const noexcept { return x_.size(); }

private:
    std::vector<double> x_, y_;
    double minx_ = 0, miny_ = 0, cell_ = 1;
    std::size_t nx_ = 0, ny_ = 0;
    std::vector<std::uint32_t> start_, items_;
};

using geo::unit_access;

// Statistics per geometry (given in `geometry_crs`) of `values` (one per occupied cell, in
// pop.occupied order) against `thresholds` (ascending).
std::vector<unit_access> unit_statistics(const population_grid& pop, std::span<const float> values,
                                         std::span<const GEOSGeometry* const> geometries,
                                         const std::string& geometry_crs, std::span<const double> thresholds);

// The people unit_statistics counts in each geometry: per geometry, (occupied cell index in
// pop.occupied order, people of the cell's share inside). A cell with people whose centre has no
// place in the centres' CRS is listed as `not_occupied` (in the population, never reached).
inline constexpr std::uint32_t not_occupied = 0xffffffffu;
std::vector<std::vector<std::pair<std::uint32_t, double>>> unit_cell_people(
    const population_grid& pop, std::span<const GEOSGeometry* const> geometries, const std::string& geometry_crs);

struct accessibility_options {
    std::string sector, typology;
    std::vector<double> thresholds = {15, 30, 60, 120};  // minutes (km for distance)
    neighbourhood moves = neighbourhood::queen;
    double max_minutes = 0;  // 0: no limit
};

// Statistics of `values` (one per occupied population cell) for every unit of every level
// given: level name -> code -> statistics.
std::map<std::string, std::map<std::string, unit_access>> statistics_by_level(std::span<const unit_layer> levels,
                                                                              const population_grid& pop,
                                                                              std::span<const float> values,
                                                                              std::span<const double> thresholds);

struct travel_time_result {
    accessibility_run run;       // not yet written
    cost_distance_result times;  // on the surface's grid, minutes; nearest = index into `sources`
    establishment_points sources;
    std::vector<float> at_people;  // minutes at each occupied population cell
};
// Travel time from every cell to the nearest of `points` (in the surface's CRS) over `surface`
// (minutes per cell), and its statistics per unit of `levels`; `pop` must have its centres in
// the surface's CRS.
travel_time_result travel_time_accessibility(std::span<const unit_layer> levels, const cost_surface& surface,
                                             const population_grid& pop, establishment_points points,
                                             const accessibility_options& options);

// Straight-line distance (km) from each occupied cell centre to the nearest of `points` (in
// pop.centres_crs, projected: metres) and its statistics per unit of `levels`.
// `km_out`, when given, receives the distance of each occupied cell (pop.occupied order).
accessibility_run distance_accessibility(std::span<const unit_layer> levels, const population_grid& pop,
                                         const establishment_points& points, const accessibility_options& options,
                                         std::vector<float>* km_out = nullptr);

}  // namespace microplan::geo::access
