#pragma once
// Raster grids as microplan computes on them: a north-up grid with its CRS, a cost (friction)
// surface on it, and a population raster with its occupied cells. Plain values, read and
// written by io/raster.hpp; immutable once built, safe to share between threads.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace microplan::geo {

// A north-up grid in a projected CRS.
struct grid {
    std::size_t cols = 0, rows = 0;
    double x0 = 0, y0 = 0;          // top-left corner
    double ew_res = 1, ns_res = 1;  // cell size, both positive
    std::string crs_wkt;

    [[nodiscard]] std::size_t cells() const noexcept { return cols * rows; }
    // The cell holding (x, y) (row-major index), nullopt outside the grid.
    [[nodiscard]] std::optional<std::size_t> cell_of(double x, double y) const;
    // The centre of a cell.
    [[nodiscard]] std::pair<double, double> centre(std::size_t cell) const;
};

struct cost_surface {
    grid g;
    std::vector<float> cost;  // per cell, row-major; NaN = impassable
    // Optional, for slope-dependent walking: metres per cell (NaN = unknown, taken as flat)
    // and which cells are walked (1) rather than driven (0); empty `walking` = every cell.
    std::vector<float> elevation;
    std::vector<std::uint8_t> walking;
};

struct population_grid {
    grid g;                     // the raster's grid and CRS (any CRS, north-up)
    std::vector<float> people;  // per cell; 0 where no data
    // The cells with people, and their centres in `centres_crs`.
    std::vector<std::uint32_t> occupied;
    std::vector<double> cx, cy;
    std::string centres_crs;
};

}  // namespace microplan::geo
