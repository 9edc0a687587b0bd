#include "microplan/geo/access/population_access.hpp"

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/population/zonal.hpp"

namespace microplan::geo::access {

std::vector<float> sample_at_centres(const population_grid& pop, const grid& g, std::span<const float> surface) {
    std::vector<float> out(pop.occupied.size(), std::numeric_limits<float>::infinity());
    for (std::size_t k = 0; k < out.size(); ++k)
        if (auto cell = g.cell_of(pop.cx[k], pop.cy[k])) {
            float v = surface[*cell];
            out[k] = std::isfinite(v) ? v : std::numeric_limits<float>::infinity();
        }
    return out;
}

nearest_index::nearest_index(std::vector<double> x, std::vector<double> y) : x_(std::move(x)), y_(std::move(y)) {
    if (x_.empty()) return;
    double maxx = x_[0], maxy = y_[0];
    minx_ = x_[0], miny_ = y_[0];
    for (std::size_t i = 0; i < x_.size(); ++i) {
        minx_ = std::min(minx_, x_[i]), maxx = std::max(maxx, x_[i]);
        miny_ = std::min(miny_, y_[i]), maxy = std::max(maxy, y_[i]);
    }
    // About two points per bucket.
    double area = std::max((maxx - minx_) * (maxy - miny_), 1.0);
    cell_ = std::max(std::sqrt(area * 2.0 / static_cast<double>(x_.size())), 1e-6);
    nx_ = static_cast<std::size_t>((maxx - minx_) / cell_) + 1;
    ny_ = static_cast<std::size_t>((maxy - miny_) / cell_) + 1;
    std::vector<std::uint32_t> count(nx_ * ny_ + 1, 0);
    auto bucket = [&](std::size_t i) {
        auto bx = static_cast<std::size_t>((x_[i] - minx_) / cell_),
             by = static_cast<std::size_t>((y_[i] - miny_) / cell_);
        return std::min(by, ny_ - 1) * nx_ + std::min(bx, nx_ - 1);
    };
    for (std::size_t i = 0; i < x_.size(); ++i) ++count[bucket(i) + 1];
    std::partial_sum(count.begin(), count.end(), count.begin());
    start_ = count;
    items_.resize(x_.size());
    for (std::size_t i = 0; i < x_.size(); ++i) items_[count[bucket(i)]++] = static_cast<std::uint32_t>(i);
}

std::optional<std::pair<std::size_t, double>> nearest_index::nearest(double x, double y) const {
    if (x_.empty()) return std::nullopt;
    // Start from the query projected onto the buckets' box: for a point p in the box outside
    // the square of buckets searched around the projection c, |q - p|² >= |q - c|² + (ring × cell)².
    const double maxx = minx_ + cell_ * static_cast<double>(nx_), maxy = miny_ + cell_ * static_cast<double>(ny_);
    const double cx = std::clamp(x, minx_, maxx), cy = std::clamp(y, miny_, maxy);
    const double outside2 = (cx - x) * (cx - x) + (cy - y) * (cy - y);
    const long nx = static_cast<long>(nx_), ny = static_cast<long>(ny_);
    const long bx = std::clamp(static_cast<long>(std::floor((cx - minx_) / cell_)), 0L, nx - 1);
    const long by = std::clamp(static_cast<long>(std::floor((cy - miny_) / cell_)), 0L, ny - 1);
    double best = std::numeric_limits<double>::infinity();
    std::size_t best_i = 0;
    const long last_ring = std::max(std::max(bx, nx - 1 - bx), std::max(by, ny - 1 - by));
    for (long ring = 0; ring <= last_ring; ++ring) {
        for (long j = by - ring; j <= by + ring; ++j) {
            if (j < 0 || j >= ny) continue;
            const bool edge_row = j == by - ring || j == by + ring;
            const long step = edge_row || ring == 0 ? 1 : 2 * ring;
            for (long i = bx - ring; i <= bx + ring; i += step) {
                if (i < 0 || i >= nx) continue;
                const std::size_t b = static_cast<std::size_t>(j) * nx_ + static_cast<std::size_t>(i);
                for (std::uint32_t k = start_[b]; k < start_[b + 1]; ++k) {
                    const std::uint32_t p = items_[k];
                    const double d = std::hypot(x_[p] - x, y_[p] - y);
                    if (d < best || (d == best && p < best_i)) best = d, best_i = p;
                }
            }
        }
        const double r = static_cast<double>(ring) * cell_;
        if (best * best <= outside2 + r * r) break;
    }
    return std::pair{best_i, best};
}

namespace {
// fn(cell, people) for each raster cell `geometry` (in `geometry_crs`) covers, with the people of
// the cell's share of its area inside. Safe from many threads.
template <class Fn>
void for_each_unit_cell(const population_grid& pop, const GEOSGeometry* geometry, const std::string& geometry_crs,
                        Fn&& fn) {
    if (!geometry) return;
    // One transformer per thread and CRS pair (creating one costs more than a unit's work).
    thread_local std::string key;
    thread_local std::unique_ptr<proj::transformer> transformer;
    if (!transformer || key != geometry_crs + '\n' + pop.g.crs_wkt) {
        transformer = std::make_unique<proj::transformer>(geometry_crs, pop.g.crs_wkt);
        key = geometry_crs + '\n' + pop.g.crs_wkt;
    }
    const proj::transformer& to_raster = *transformer;
    const double ew = pop.g.ew_res, ns = pop.g.ns_res, x0 = pop.g.x0, y0 = pop.g.y0;
    geos::geom_ptr in_grid = geos::transform_xy(geometry, [&](double& x, double& y) {
        if (!to_raster.forward(x, y)) return false;
        x = (x - x0) / ew;
        y = (y0 - y) / ns;
        return true;
    });
    if (!in_grid) return;
    cell_coverage(in_grid.get(), static_cast<int>(pop.g.cols), static_cast<int>(pop.g.rows),
                  [&](int c, int r, double f) {
                      const std::size_t cell = static_cast<std::size_t>(r) * pop.g.cols + static_cast<std::size_t>(c);
                      const double people = pop.people[cell] * f;
                      if (people > 0) fn(cell, people);
                  });
}
}  // namespace

std::vector<std::vector<std::pair<std::uint32_t, double>>> unit_cell_people(
    const population_grid& pop, std::span<const GEOSGeometry* const> geometries, const std::string& geometry_crs) {
    std::vector<std::int64_t> index(pop.g.cells(), -1);  // raster cell -> occupied index
    for (std::size_t k = 0; k < pop.occupied.size(); ++k) index[pop.occupied[k]] = static_cast<std::int64_t>(k);
    std::vector<std::vector<std::pair<std::uint32_t, double>>> out(geometries.size());
    parallel_for(geometries.size(), 0, [&](std::size_t i) {
        for_each_unit_cell(pop, geometries[i], geometry_crs, [&](std::size_t cell, double people) {
            out[i].emplace_back(index[cell] >= 0 ? static_cast<std::uint32_t>(index[cell]) : not_occupied, people);
        });
    });
    return out;
}

std::vector<unit_access> unit_statistics(const population_grid& pop, std::span<const float> values,
                                         std::span<const GEOSGeometry* const> geometries,
                                         const std::string& geometry_crs, std::span<const double> thresholds) {
    // Occupied cell -> its value.
    std::vector<float> at(pop.g.cells(), std::numeric_limits<float>::quiet_NaN());
    for (std::size_t k = 0; k < pop.occupied.size(); ++k) at[pop.occupied[k]] = values[k];
    std::vector<unit_access> out(geometries.size());
    parallel_for(geometries.size(), 0, [&](std::size_t i) {
        unit_access& u = out[i];
        u.within.assign(thresholds.size(), 0.0);
        std::vector<std::pair<float, double>> weighted;  // (value, people)
        double reached = 0, sum = 0;
        for_each_unit_cell(pop, geometries[i], geometry_crs, [&](std::size_t cell, double people) {
            const float v = at[cell];
            u.population += people;
            weighted.emplace_back(std::isnan(v) ? std::numeric_limits<float>::infinity() : v, people);
            if (std::isfinite(v)) {
                reached += people, sum += people * v;
                for (std::size_t t = 0; t < thresholds.size(); ++t)
                    if (v <= thresholds[t]) u.within[t] += people;
            }
        });
        if (reached > 0) u.mean = sum / reached;
        if (u.population > 0) {
            std::sort(weighted.begin(), weighted.end());
            double half = u.population / 2, acc = 0;
            for (const auto& [v, w] : weighted) {
                acc += w;
                if (acc >= half) {
                    if (std::isfinite(v)) u.median = v;
                    break;
                }
            }
        }
    });
    return out;
}

}  // namespace microplan::geo::access
