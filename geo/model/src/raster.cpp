#include "microplan/geo/model/raster.hpp"

#include <cmath>

namespace microplan::geo {

std::optional<std::size_t> grid::cell_of(double x, double y) const {
    double c = std::floor((x - x0) / ew_res), r = std::floor((y0 - y) / ns_res);
    if (!(c >= 0 && r >= 0 && c < static_cast<double>(cols) && r < static_cast<double>(rows))) return std::nullopt;
    return static_cast<std::size_t>(r) * cols + static_cast<std::size_t>(c);
}

std::pair<double, double> grid::centre(std::size_t cell) const {
    std::size_t r = cell / cols, c = cell % cols;
    return {x0 + (static_cast<double>(c) + 0.5) * ew_res, y0 - (static_cast<double>(r) + 0.5) * ns_res};
}

}  // namespace microplan::geo
