#include "microplan/geo/io/raster.hpp"

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/huge_pages.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/model/bounds.hpp"

namespace microplan::geo {

cost_surface read_cost_raster(const std::string& path) {
    gdal::ensure_registered();
    const char* open_options[] = {"NUM_THREADS=ALL_CPUS", nullptr};  // GeoTIFF: decode blocks on every core
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, open_options));
    error_location where{path, {}, {}, {}, {}};
    if (!ds) throw format_error(where, "cannot open the raster", CPLGetLastErrorMsg());
    double gt[6];
    if (ds->GetGeoTransform(gt) != CE_None || gt[2] != 0 || gt[4] != 0 || gt[1] <= 0 || gt[5] >= 0)
        throw format_error(where, "not a north-up raster",
                           "cost rasters need a north-up geotransform in a projected CRS");
    cost_surface s;
    s.g.cols = static_cast<std::size_t>(ds->GetRasterXSize());
    s.g.rows = static_cast<std::size_t>(ds->GetRasterYSize());
    s.g.x0 = gt[0], s.g.y0 = gt[3], s.g.ew_res = gt[1], s.g.ns_res = -gt[5];
    if (const OGRSpatialReference* srs = ds->GetSpatialRef()) {
        char* wkt = nullptr;
        srs->exportToWkt(&wkt);
        s.g.crs_wkt = wkt ? wkt : "";
        CPLFree(wkt);
        if (srs->IsGeographic())
            throw format_error(where, "geographic CRS",
                               "cost rasters must be in a projected CRS (metres), e.g. EPSG:32717");
    }
    auto read_band = [&](GDALRasterBand* band, std::vector<float>& values) {
        assign_in_huge_pages(values, s.g.cells(), 0.0f);  // the searches read it cell by cell
        if (band->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(), values.data(),
                           ds->GetRasterXSize(), ds->GetRasterYSize(), GDT_Float32, 0, 0) != CE_None)
            throw format_error(where, "cannot read the raster", CPLGetLastErrorMsg());
    };
    GDALRasterBand* band = ds->GetRasterBand(1);
    read_band(band, s.cost);
    int has_nodata = 0;
    double nodata = band->GetNoDataValue(&has_nodata);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (float& v : s.cost)
        if ((has_nodata && (v == static_cast<float>(nodata))) || v < 0 || !std::isfinite(v)) v = nan;
    for (int b = 2; b <= ds->GetRasterCount(); ++b) {
        GDALRasterBand* extra = ds->GetRasterBand(b);
        const std::string what = extra->GetDescription();
        if (what == "elevation") {
            read_band(extra, s.elevation);
            int has = 0;
            const double none = extra->GetNoDataValue(&has);
            for (float& v : s.elevation)
                if ((has && v == static_cast<float>(none)) || !std::isfinite(v)) v = nan;
        } else if (what == "walking") {
            std::vector<float> walked;
            read_band(extra, walked);
            s.walking.resize(walked.size());
            for (std::size_t i = 0; i < walked.size(); ++i) s.walking[i] = walked[i] > 0.5f ? 1 : 0;
        }
    }
    return s;
}

namespace {
GDALDatasetUniquePtr create_tiff(const std::string& path, const grid& g, GDALDataType type, int bands = 1) {
    gdal::ensure_registered();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    // Deflate on every core, at a level that keeps writing a small part of the run.
    // Floating-point predictor for costs, horizontal differencing for ids.
    const char* options[] = {"TILED=YES",
                             "COMPRESS=DEFLATE",
                             "ZLEVEL=1",
                             type == GDT_Float32 ? "PREDICTOR=3" : "PREDICTOR=2",
                             "NUM_THREADS=ALL_CPUS",
                             "BIGTIFF=IF_SAFER",
                             nullptr};
    GDALDatasetUniquePtr ds(driver->Create(path.c_str(), static_cast<int>(g.cols), static_cast<int>(g.rows), bands,
                                           type, const_cast<char**>(options)));
    if (!ds) throw format_error({path, {}, {}, {}, {}}, "cannot create the raster", CPLGetLastErrorMsg());
    double gt[6] = {g.x0, g.ew_res, 0, g.y0, 0, -g.ns_res};
    ds->SetGeoTransform(gt);
    if (!g.crs_wkt.empty()) ds->SetProjection(g.crs_wkt.c_str());
    return ds;
}

// Band `band_number` of `ds`: `values` tile by tile, `nodata` where a value is not finite. Each
// tile is made in one reused buffer and handed to the driver whole (WriteBlock), which
// compresses it on its threads: no block cache in between, so no second copy of the grid.
void write_float_band(GDALDataset& ds, int band_number, const std::string& path, const grid& g,
                      std::span<const float> values, double nodata) {
    GDALRasterBand* band = ds.GetRasterBand(band_number);
    band->SetNoDataValue(nodata);
    int bw = 0, bh = 0;
    band->GetBlockSize(&bw, &bh);
    const auto tile_cols = static_cast<std::size_t>(bw), tile_rows = static_cast<std::size_t>(bh);
    std::vector<float> tile(tile_cols * tile_rows);
    const auto none = static_cast<float>(nodata);
    for (std::size_t r0 = 0; r0 < g.rows; r0 += tile_rows)
        for (std::size_t c0 = 0; c0 < g.cols; c0 += tile_cols) {
            const std::size_t nr = std::min(tile_rows, g.rows - r0), nc = std::min(tile_cols, g.cols - c0);
            if (nr < tile_rows || nc < tile_cols) std::fill(tile.begin(), tile.end(), none);  // an edge tile
            for (std::size_t r = 0; r < nr; ++r) {
                const float* in = values.data() + (r0 + r) * g.cols + c0;
                float* out = tile.data() + r * tile_cols;
                for (std::size_t c = 0; c < nc; ++c) out[c] = std::isfinite(in[c]) ? in[c] : none;
            }
            if (band->WriteBlock(static_cast<int>(c0 / tile_cols), static_cast<int>(r0 / tile_rows), tile.data()) !=
                CE_None)
                throw format_error({path, {}, {}, {}, {}}, "cannot write the raster", CPLGetLastErrorMsg());
        }
}
}  // namespace

void write_float_raster(const std::string& path, const grid& g, std::span<const float> values, double nodata) {
    auto ds = create_tiff(path, g, GDT_Float32);
    write_float_band(*ds, 1, path, g, values, nodata);
}

void write_cost_surface(const std::string& path, const cost_surface& surface) {
    const grid& g = surface.g;
    if (surface.cost.size() != g.cells() || (!surface.elevation.empty() && surface.elevation.size() != g.cells()) ||
        (!surface.walking.empty() && surface.walking.size() != g.cells()))
        throw std::logic_error("write_cost_surface: bands of a size other than the grid's");
    const int bands = 1 + (surface.elevation.empty() ? 0 : 1) + (surface.walking.empty() ? 0 : 1);
    auto ds = create_tiff(path, g, GDT_Float32, bands);
    ds->GetRasterBand(1)->SetDescription("cost");
    ds->SetMetadataItem("UNITS", "minutes to cross a cell east-west");
    write_float_band(*ds, 1, path, g, surface.cost, -9999);
    int b = 1;
    if (!surface.elevation.empty()) {
        ds->GetRasterBand(++b)->SetDescription("elevation");
        write_float_band(*ds, b, path, g, surface.elevation, -9999);
    }
    if (!surface.walking.empty()) {
        std::vector<float> walked(surface.walking.begin(), surface.walking.end());
        ds->GetRasterBand(++b)->SetDescription("walking");
        write_float_band(*ds, b, path, g, walked, -9999);
    }
}

void write_int_raster(const std::string& path, const grid& g, std::span<const std::int32_t> values,
                      std::int32_t nodata) {
    auto ds = create_tiff(path, g, GDT_Int32);
    GDALRasterBand* band = ds->GetRasterBand(1);
    band->SetNoDataValue(nodata);
    if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                       const_cast<std::int32_t*>(values.data()), static_cast<int>(g.cols), static_cast<int>(g.rows),
                       GDT_Int32, 0, 0) != CE_None)
        throw format_error({path, {}, {}, {}, {}}, "cannot write the raster", CPLGetLastErrorMsg());
}

population_grid read_population_grid(const std::string& path, const std::string& centres_crs) {
    gdal::ensure_registered();
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw format_error(where, "cannot open the raster", CPLGetLastErrorMsg());
    double gt[6];
    if (ds->GetGeoTransform(gt) != CE_None || gt[2] != 0 || gt[4] != 0 || gt[1] <= 0 || gt[5] >= 0)
        throw format_error(where, "not a north-up raster", "warp it north-up with gdalwarp first");
    const OGRSpatialReference* srs = ds->GetSpatialRef();
    if (!srs) throw crs_error(where, "no CRS", "the raster has no CRS; assign one with gdal_edit.py -a_srs");
    population_grid p;
    char* wkt = nullptr;
    srs->exportToWkt(&wkt);
    p.g.crs_wkt = wkt ? wkt : "";
    CPLFree(wkt);
    p.g.cols = static_cast<std::size_t>(ds->GetRasterXSize());
    p.g.rows = static_cast<std::size_t>(ds->GetRasterYSize());
    p.g.x0 = gt[0], p.g.y0 = gt[3], p.g.ew_res = gt[1], p.g.ns_res = -gt[5];
    p.people.resize(p.g.cells());
    GDALRasterBand* band = ds->GetRasterBand(1);
    if (band->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(), p.people.data(), ds->GetRasterXSize(),
                       ds->GetRasterYSize(), GDT_Float32, 0, 0) != CE_None)
        throw format_error(where, "cannot read the raster", CPLGetLastErrorMsg());
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    proj::transformer to_centres = at_location(where, [&] { return proj::transformer(p.g.crs_wkt, centres_crs); });
    p.centres_crs = centres_crs;
    std::size_t valid = 0;
    for (std::size_t i = 0; i < p.people.size(); ++i) {
        float& v = p.people[i];
        if ((has_nodata && v == static_cast<float>(nodata)) || !std::isfinite(v)) {
            v = 0;
            continue;
        }
        ++valid;
        if (!bounds::within(v, bounds::people))
            throw format_error(where, v < 0 ? "negative population" : "population out of range",
                               "cell " + std::to_string(i % p.g.cols) + ", " + std::to_string(i / p.g.cols) +
                                   " holds " + bounds::violation(v, bounds::people) +
                                   (v < 0 ? " (set the raster's NoData value if it marks missing cells)" : ""));
        if (v == 0) continue;
        auto [x, y] = p.g.centre(i);
        if (!to_centres.forward(x, y)) continue;
        p.occupied.push_back(static_cast<std::uint32_t>(i));
        p.cx.push_back(x);
        p.cy.push_back(y);
    }
    if (valid == 0)
        throw format_error(where, "no population",
                           "every cell is NoData: the raster holds no population (a wrong NoData value?)");
    return p;
}

}  // namespace microplan::geo
