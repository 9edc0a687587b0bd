#include "microplan/geo/population/zonal.hpp"

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo {

namespace {

struct ring_coords {
    std::vector<double> xy;
    bool shell = true;
};

std::vector<ring_coords> rings_of(const GEOSGeometry* g) {
    GEOSContextHandle_t ctx = geos::thread_context().handle();
    std::vector<ring_coords> out;
    auto add = [&](const GEOSGeometry* ring, bool shell) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
        unsigned n = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n) || n < 4) return;
        ring_coords r;
        r.shell = shell;
        r.xy.resize(2 * static_cast<std::size_t>(n));
        if (GEOSCoordSeq_copyToBuffer_r(ctx, seq, r.xy.data(), 0, 0)) out.push_back(std::move(r));
    };
    for (const GEOSGeometry* poly : geos::polygons_of(g)) {
        add(GEOSGetExteriorRing_r(ctx, poly), true);
        int holes = GEOSGetNumInteriorRings_r(ctx, poly);
        for (int h = 0; h < holes; ++h) add(GEOSGetInteriorRingN_r(ctx, poly, h), false);
    }
    return out;
}

// Coverage of the window [col0, col0 + width) x [row0, row0 + height) by `g` (full-grid
// coordinates); visit gets window-relative cell indexes.
void coverage_in_window(const GEOSGeometry* g, const geos::envelope& env, int col0, int row0, int width, int height,
                        const std::function<void(int, int, double)>& visit) {
    if (!g || width <= 0 || height <= 0) return;
    auto rings = rings_of(g);
    if (rings.empty()) return;
    auto c0 = static_cast<long>(std::max<double>(col0, std::floor(env.minx)));
    auto c1 = static_cast<long>(std::min<double>(col0 + width - 1, std::floor(env.maxx)));
    auto r0 = static_cast<long>(std::max<double>(row0, std::floor(env.miny)));
    auto r1 = static_cast<long>(std::min<double>(row0 + height - 1, std::floor(env.maxy)));
    if (c0 > c1 || r0 > r1) return;
    auto nc = static_cast<std::size_t>(c1 - c0 + 1), nr = static_cast<std::size_t>(r1 - r0 + 1);
    std::vector<double> partial(nc * nr, 0.0), full(nc * (nr + 1), 0.0);
    std::vector<double> ts;
    for (const ring_coords& ring : rings) {
        const auto& p = ring.xy;
        std::size_t n = p.size() / 2;
        double twice = 0;
        for (std::size_t i = 0; i + 1 < n; ++i) twice += (p[2 * i + 1] + p[2 * i + 3]) * (p[2 * i + 2] - p[2 * i]);
        if (twice == 0) continue;
        double s = (ring.shell ? 1.0 : -1.0) * (twice > 0 ? 1.0 : -1.0);
        for (std::size_t i = 0; i + 1 < n; ++i) {
            double ua = p[2 * i], va = p[2 * i + 1], ub = p[2 * i + 2], vb = p[2 * i + 3];
            double du_total = ub - ua;
            if (du_total == 0) continue;  // vertical edges add nothing to ∮ min(v, t) du
            double dv_total = vb - va;
            ts.clear();
            ts.push_back(0.0);
            for (double k = std::floor(std::min(ua, ub)) + 1; k < std::max(ua, ub); ++k)
                ts.push_back((k - ua) / du_total);
            if (dv_total != 0)
                for (double k = std::floor(std::min(va, vb)) + 1; k < std::max(va, vb); ++k)
                    ts.push_back((k - va) / dv_total);
            ts.push_back(1.0);
            std::sort(ts.begin(), ts.end());
            for (std::size_t k = 0; k + 1 < ts.size(); ++k) {
                double t0 = ts[k], t1 = ts[k + 1];
                if (t1 <= t0) continue;
                double du = du_total * (t1 - t0);
                double um = ua + du_total * 0.5 * (t0 + t1);
                double vm = va + dv_total * 0.5 * (t0 + t1);
                auto c = static_cast<long>(std::floor(um));
                if (c < c0 || c > c1) continue;
                auto r = static_cast<long>(std::floor(vm));
                std::size_t lc = static_cast<std::size_t>(c - c0);
                if (r > r1) {
                    full[lc * (nr + 1) + nr] += s * du;
                } else if (r >= r0) {
                    std::size_t lr = static_cast<std::size_t>(r - r0);
                    partial[lc * nr + lr] += s * (vm - static_cast<double>(r)) * du;
                    full[lc * (nr + 1) + lr] += s * du;
                }
            }
        }
    }
    for (std::size_t lc = 0; lc < nc; ++lc) {
        double running = 0;
        for (std::size_t lr = nr; lr-- > 0;) {
            running += full[lc * (nr + 1) + lr + 1];
            double f = partial[lc * nr + lr] + running;
            if (f > 1e-12)
                visit(static_cast<int>(c0 - col0 + static_cast<long>(lc)),
                      static_cast<int>(r0 - row0 + static_cast<long>(lr)), std::min(f, 1.0));
        }
    }
}

}  // namespace

void cell_coverage(const GEOSGeometry* grid_geometry, int width, int height,
                   const std::function<void(int, int, double)>& visit) {
    if (!grid_geometry) return;
    coverage_in_window(grid_geometry, geos::envelope_of(grid_geometry), 0, 0, width, height, visit);
}

zonal_result zonal_sums(const std::string& path, std::span<const GEOSGeometry* const> geometries,
                        const std::string& geometry_crs, const zonal_options& options) {
    gdal::ensure_registered();
    auto where = [&](std::string rule, std::string detail) {
        return format_error(error_location{path, {}, {}, {}, {}}, std::move(rule), detail);
    };
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw where("not a raster", "GDAL cannot open it as a raster: " + std::string(CPLGetLastErrorMsg()));
    if (options.band < 1 || options.band > ds->GetRasterCount())
        throw where("no such band", "band " + std::to_string(options.band) + " requested; the raster has " +
                                        std::to_string(ds->GetRasterCount()));
    double gt[6];
    if (ds->GetGeoTransform(gt) != CE_None) throw where("not georeferenced", "the raster has no geotransform");
    if (gt[2] != 0 || gt[4] != 0 || gt[1] == 0 || gt[5] == 0)
        throw where("rotated grid",
                    "rotated or sheared rasters are not supported; warp it north-up with gdalwarp first");
    const OGRSpatialReference* srs = ds->GetSpatialRef();
    if (!srs)
        throw crs_error(error_location{path, {}, {}, {}, {}}, "no CRS",
                        "the raster has no CRS; assign one with gdal_edit.py -a_srs");
    char* wkt = nullptr;
    srs->exportToWkt(&wkt);
    std::string raster_crs = wkt ? wkt : "";
    CPLFree(wkt);

    zonal_result out;
    out.width = ds->GetRasterXSize();
    out.height = ds->GetRasterYSize();
    const error_location at_raster{path, {}, {}, {}, {}};
    out.raster_crs = at_location(at_raster, [&] { return proj::crs_name(raster_crs); });
    out.sums.assign(geometries.size(), 0.0);
    out.nodata_cells.assign(geometries.size(), 0.0);

    // Geometries in grid coordinates (u = column, v = row) of the full raster.
    proj::transformer to_raster = at_location(at_raster, [&] { return proj::transformer(geometry_crs, raster_crs); });
    std::vector<geos::geom_ptr> grid(geometries.size());
    std::vector<geos::envelope> envs(geometries.size());
    geos::envelope window;
    bool any = false;
    for (std::size_t i = 0; i < geometries.size(); ++i) {
        if (!geometries[i]) continue;
        grid[i] = geos::transform_xy(geometries[i], [&](double& x, double& y) {
            if (!to_raster.forward(x, y)) return false;
            x = (x - gt[0]) / gt[1];
            y = (y - gt[3]) / gt[5];
            return true;
        });
        if (!grid[i] || geos::is_empty(grid[i].get())) continue;
        auto e = envs[i] = geos::envelope_of(grid[i].get());
        if (!any)
            window = e;
        else
            window.expand(e);
        any = true;
    }
    if (!any) return out;
    int col0 = static_cast<int>(std::clamp(std::floor(window.minx), 0.0, static_cast<double>(out.width)));
    int col1 = static_cast<int>(std::clamp(std::floor(window.maxx) + 1, 0.0, static_cast<double>(out.width)));
    int row0 = static_cast<int>(std::clamp(std::floor(window.miny), 0.0, static_cast<double>(out.height)));
    int row1 = static_cast<int>(std::clamp(std::floor(window.maxy) + 1, 0.0, static_cast<double>(out.height)));
    int w = col1 - col0, h = row1 - row0;
    if (w <= 0 || h <= 0) return out;

    GDALRasterBand* band = ds->GetRasterBand(options.band);
    std::vector<double> cells(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
    if (band->RasterIO(GF_Read, col0, row0, w, h, cells.data(), w, h, GDT_Float64, 0, 0) != CE_None)
        throw where("unreadable raster", CPLGetLastErrorMsg());
    int has_nodata = 0;
    double nodata = band->GetNoDataValue(&has_nodata);
    out.window_cells = cells.size();
    for (double& v : cells) {
        if ((has_nodata && (v == nodata || (std::isnan(nodata) && std::isnan(v)))) || !std::isfinite(v)) {
            v = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        out.window_total += v;
        out.window_min = out.window_valid ? std::min(out.window_min, v) : v;
        out.window_max = out.window_valid ? std::max(out.window_max, v) : v;
        ++out.window_valid;
    }

    parallel_for(geometries.size(), options.threads, [&](std::size_t i) {
        if (!grid[i]) return;
        double sum = 0, missing = 0;
        coverage_in_window(grid[i].get(), envs[i], col0, row0, w, h, [&](int c, int r, double f) {
            double v = cells[static_cast<std::size_t>(r) * static_cast<std::size_t>(w) + static_cast<std::size_t>(c)];
            if (std::isnan(v))
                missing += f;
            else
                sum += v * f;
        });
        out.sums[i] = sum;
        out.nodata_cells[i] = missing;
    });
    return out;
}

}  // namespace microplan::geo
