#include "national_common.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/population/zonal.hpp"

namespace microplan::geo::design::detail {

finding note(severity sev, std::string rule, std::optional<level> lvl, std::string code, std::string message,
             std::optional<long long> feature) {
    return {sev,          std::move(rule), lvl,         std::move(code), feature, std::move(message),
            std::nullopt, std::nullopt,    std::nullopt};
}

std::string fmt_people(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
}

geos::envelope box_of(const GEOSGeometry* g) {
    if (geos::is_empty(g)) {
        constexpr double inf = std::numeric_limits<double>::infinity();
        return {inf, inf, -inf, -inf};
    }
    return geos::envelope_of(g);
}

bool envelopes_meet(const geos::envelope& a, const geos::envelope& b) {
    return !(a.minx > b.maxx || a.maxx < b.minx || a.miny > b.maxy || a.maxy < b.miny);
}

double intersection_over_union(const GEOSGeometry* a, const GEOSGeometry* b) {
    geos::geom_ptr inter = geos::intersection(a, b);
    double ia = inter ? geos::area(inter.get()) : 0;
    double u = geos::area(a) + geos::area(b) - ia;
    return u > 0 ? ia / u : 0;
}

std::vector<double> grid_sums(const population_grid& raster, std::span<const GEOSGeometry* const> geometries,
                              unsigned threads) {
    const grid& g = raster.g;
    // Geometries in grid coordinates (u = column, v = row), as zonal_sums maps them from the
    // raster's geotransform (x0, ew, y0, -ns).
    const double gt0 = g.x0, gt1 = g.ew_res, gt3 = g.y0, gt5 = -g.ns_res;
    proj::transformer to_raster("EPSG:4326", g.crs_wkt);
    std::vector<geos::geom_ptr> in_grid(geometries.size());
    for (std::size_t i = 0; i < geometries.size(); ++i) {
        if (!geometries[i]) continue;
        in_grid[i] = geos::transform_xy(geometries[i], [&](double& x, double& y) {
            if (!to_raster.forward(x, y)) return false;
            x = (x - gt0) / gt1;
            y = (y - gt3) / gt5;
            return true;
        });
    }
    std::vector<double> sums(geometries.size(), 0.0);
    parallel_for(geometries.size(), threads, [&](std::size_t i) {
        if (!in_grid[i] || geos::is_empty(in_grid[i].get())) return;
        double sum = 0;
        cell_coverage(
            in_grid[i].get(), static_cast<int>(g.cols), static_cast<int>(g.rows), [&](int c, int r, double f) {
                sum += static_cast<double>(
                           raster.people[static_cast<std::size_t>(r) * g.cols + static_cast<std::size_t>(c)]) *
                       f;
            });
        sums[i] = sum;
    });
    return sums;
}

std::vector<double> raster_people(const unit_layer& parishes, const weight_rasters& rasters, unsigned threads) {
    std::vector<const GEOSGeometry*> geoms;
    for (const unit& p : parishes.units) geoms.push_back(p.geometry.get());
    std::vector<double> sums(parishes.units.size(), 0);
    for (const auto& r : rasters.grids) {
        std::vector<double> z = grid_sums(r, geoms, threads);
        for (std::size_t i = 0; i < sums.size(); ++i) sums[i] += z[i];
    }
    return sums;
}

std::vector<double> census_by_raster(const std::vector<const GEOSGeometry*>& geometries, const unit_layer& parishes,
                                     std::span<const double> census, const population_grid* raster, unsigned threads) {
    std::vector<geos::geom_ptr> cut;
    std::vector<std::pair<std::size_t, std::size_t>> owner;  // (geometry, parish)
    std::set<std::size_t> used;
    for (std::size_t g = 0; g < geometries.size(); ++g) {
        geos::envelope e = box_of(geometries[g]);
        for (std::size_t p = 0; p < parishes.units.size(); ++p) {
            geos::envelope pe = geos::envelope_of(parishes.units[p].geometry.get());
            if (!envelopes_meet(pe, e)) continue;
            geos::geom_ptr i = geos::intersection(geometries[g], parishes.units[p].geometry.get());
            if (!i || geos::area(i.get()) <= 0) continue;
            cut.push_back(std::move(i));
            owner.emplace_back(g, p);
            used.insert(p);
        }
    }
    std::vector<const GEOSGeometry*> all;
    for (auto& c : cut) all.push_back(c.get());
    std::vector<std::size_t> parish_list(used.begin(), used.end());
    for (std::size_t p : parish_list) all.push_back(parishes.units[p].geometry.get());
    // Without a raster, shares of area.
    std::vector<double> sums(all.size(), 0);
    if (raster) sums = grid_sums(*raster, all, threads);
    std::map<std::size_t, double> whole;
    for (std::size_t i = 0; i < parish_list.size(); ++i) whole[parish_list[i]] = sums[cut.size() + i];
    std::vector<double> out(geometries.size(), 0);
    for (std::size_t i = 0; i < cut.size(); ++i) {
        auto [g, p] = owner[i];
        double w = whole[p];
        double share = w > 0 ? sums[i] / w
                             : geos::area(cut[i].get()) / std::max(geos::area(parishes.units[p].geometry.get()), 1e-30);
        out[g] += census[p] * std::min(share, 1.0);
    }
    return out;
}

}  // namespace microplan::geo::design::detail
