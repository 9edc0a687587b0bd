#pragma once
// Who is how far: a population raster's cells with a travel time (or distance) each, and the
// statistics per territorial unit that planners read (AccessMod's "population coverage"):
// people within each threshold (count and %), population-weighted mean and median.
//
// Rules (README "Accessibility"):
//   - A cell's people are at the time of the place holding the cell's centre (the friction
//     cell under it, or the straight-line distance from it).
//   - A cell cut by a unit border counts with the fraction of its area inside the unit, as in
//     population zonal sums (zonal.hpp), so the units of a level share out the raster's people.
//   - Within a threshold T means time <= T, with times in single precision and no rounding:
//     a cell at 30.0004 min is not within 30. Unreached people (impassable, beyond the maximum
//     time) are in no threshold, not in the mean, and above every other person for the median.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/access/cost_distance.hpp"
#include "microplan/geo/core/geos.hpp"

namespace microplan::geo::access {

struct population_grid {
    grid g;                     // the raster's grid and CRS (any CRS, north-up)
    std::vector<float> people;  // per cell; 0 where no data
    // The cells with people, and their centres in `centres_crs`.
    std::vector<std::uint32_t> occupied;
    std::vector<double> cx, cy;
    std::string centres_crs;
};

// Reads band 1 of a population raster and the centres of its occupied cells in `centres_crs`
// (e.g. the analysis CRS, metres). Throws format_error / crs_error naming the file.
population_grid read_population_grid(const std::string& path, const std::string& centres_crs);

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

struct unit_access {
    double population = 0;       // people in the unit (raster, fractional cells)
    std::vector<double> within;  // people within each threshold
    std::optional<double> mean, median;
};

// Statistics per geometry (given in `geometry_crs`) of `values` (one per occupied cell, in
// pop.occupied order) against `thresholds` (ascending).
std::vector<unit_access> unit_statistics(const population_grid& pop, std::span<const float> values,
                                         std::span<const GEOSGeometry* const> geometries,
                                         const std::string& geometry_crs, std::span<const double> thresholds);

}  // namespace microplan::geo::access
