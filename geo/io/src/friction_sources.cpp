#include "microplan/geo/io/friction_sources.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

std::map<std::string, speed_row> read_speed_table(const std::string& path, bool with_mode) {
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = *ds->GetLayer(0);
    where.layer = layer.GetName();
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto c_class = find_column(defn, {"class", "clase", "code", "codigo", "value", "valor", "highway"});
    auto c_speed = find_column(defn, {"speedkmh", "speed", "velocidadkmh", "velocidad", "kmh"});
    auto c_mode = find_column(defn, {"mode", "modo"});
    if (!c_class || !c_speed)
        throw format_error(where, "missing column", "a speed table needs the columns class and speed_kmh");
    std::map<std::string, speed_row> out;
    long long line = 1;
    for (auto& f : layer) {
        ++line;
        where.feature = line;
        std::string cls = f->GetFieldAsString(*c_class);
        std::string text = f->GetFieldAsString(*c_speed);
        std::replace(text.begin(), text.end(), ',', '.');
        char* end = nullptr;
        double kmh = std::strtod(text.c_str(), &end);
        where.field = defn->GetFieldDefn(*c_speed)->GetNameRef();
        if (text.empty() || end == text.c_str() || *end != '\0' || !std::isfinite(kmh) || kmh < 0)
            throw format_error(where, "speed not a number",
                               "line " + std::to_string(line) + ": '" + text + "' is not a speed in km/h (>= 0)");
        if (!bounds::within(kmh, bounds::speed_kmh))
            throw format_error(where, "speed out of range",
                               "line " + std::to_string(line) + ": " + bounds::violation(text, bounds::speed_kmh));
        if (cls.empty()) throw format_error(where, "empty class", "line " + std::to_string(line) + " has no class");
        speed_row r{kmh, true};
        if (with_mode && c_mode) {
            std::string m = names::field_key(f->GetFieldAsString(*c_mode));
            if (m == "motorised" || m == "motorized" || m == "motorizado" || m == "vehicle" || m == "vehiculo")
                r.walking = false;
            else if (!(m.empty() || m == "walking" || m == "caminando" || m == "apie" || m == "foot"))
                throw format_error(where, "unknown mode",
                                   "line " + std::to_string(line) + ": mode '" +
                                       std::string(f->GetFieldAsString(*c_mode)) + "' (walking or motorised)");
        }
        if (!out.emplace(cls, r).second)
            throw format_error(where, "duplicate class", "class '" + cls + "' is given twice");
    }
    if (out.empty()) throw format_error(where, "empty table", "the speed table has no rows");
    return out;
}

namespace {

GDALDatasetUniquePtr mem_raster(const grid& g, GDALDataType type) {
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDatasetUniquePtr ds(mem->Create("", static_cast<int>(g.cols), static_cast<int>(g.rows), 1, type, nullptr));
    double gt[6] = {g.x0, g.ew_res, 0, g.y0, 0, -g.ns_res};
    ds->SetGeoTransform(gt);
    if (!g.crs_wkt.empty()) ds->SetProjection(g.crs_wkt.c_str());
    return ds;
}

// Geometries of a vector source, in the grid's CRS, with one value each.
struct burnable {
    std::vector<std::unique_ptr<OGRGeometry>> geometries;
    std::vector<double> values;
};

// `where` names the source burnt, for the message when GDAL fails.
void burn(GDALDataset& target, const burnable& b, bool all_touched, const error_location& where) {
    if (b.geometries.empty()) return;
    std::vector<OGRGeometryH> handles;
    for (const auto& g : b.geometries) handles.push_back(OGRGeometry::ToHandle(g.get()));
    int band = 1;
    char** options = nullptr;
    if (all_touched) options = CSLSetNameValue(options, "ALL_TOUCHED", "TRUE");
    CPLErr err = GDALRasterizeGeometries(GDALDataset::ToHandle(&target), 1, &band, static_cast<int>(handles.size()),
                                         handles.data(), nullptr, nullptr, const_cast<double*>(b.values.data()),
                                         options, nullptr, nullptr);
    CSLDestroy(options);
    if (err != CE_None) throw format_error(where, "cannot rasterise", CPLGetLastErrorMsg());
}

gdal::transformation to_grid(const std::string& path, OGRLayer& layer, const grid& g) {
    return gdal::transformation_to(layer.GetSpatialRef(), g.crs_wkt, {path, layer.GetName(), {}, {}, {}});
}

}  // namespace

road_set read_roads(const std::string& path, const std::string& layer_name, const std::string& field,
                    const std::map<std::string, speed_row>& speeds, const std::string& target_crs) {
    GDALDatasetUniquePtr ds = gdal::open_vector(path);
    std::string name = layer_name;
    if (name.empty() && ds->GetLayerByName("lines")) name = "lines";  // OSM files
    gdal::layer_need need = gdal::line_layers();
    need.flag = "--roads-layer";
    OGRLayer& layer = gdal::pick_layer(*ds, path, name, need);
    // The class: one field, or several (comma-separated names) whose values are joined by '|'.
    std::vector<int> fields;
    for (std::size_t start = 0; start <= field.size();) {
        std::size_t end = std::min(field.find(',', start), field.size());
        const std::string field_name = field.substr(start, end - start);
        const int fi = layer.GetLayerDefn()->GetFieldIndex(field_name.c_str());
        if (fi < 0)
            throw format_error({path, layer.GetName(), {}, field_name, {}}, "missing field",
                               "the road layer has no field '" + field_name + "' (--road-field)");
        fields.push_back(fi);
        start = end + 1;
    }
    gdal::transformation tr =
        gdal::transformation_to(layer.GetSpatialRef(), target_crs, {path, layer.GetName(), {}, {}, {}});
    road_set out;
    out.path = path;
    out.layer = layer.GetName();
    std::set<std::string> skipped;
    for (auto& f : layer) {
        OGRGeometry* geom = f->GetGeometryRef();
        if (!geom || geom->IsEmpty()) continue;
        std::string cls;
        for (std::size_t k = 0; k < fields.size(); ++k)
            cls += (k ? "|" : "") + std::string(f->GetFieldAsString(fields[k]));
        auto it = speeds.find(cls);
        if (it == speeds.end() || it->second.kmh <= 0) {
            ++out.skipped;
            skipped.insert(cls);
            continue;
        }
        std::unique_ptr<OGRGeometry> copy(geom->clone());
        if (!tr.apply(*copy))
            throw crs_error({path, layer.GetName(), f->GetFID(), {}, {}}, "cannot transform",
                            "the road cannot be transformed to the analysis grid's CRS");
        out.roads.push_back({it->second.kmh, std::move(copy), f->GetFID()});
    }
    out.skipped_classes.assign(skipped.begin(), skipped.end());
    return out;
}

std::vector<std::uint8_t> cells_covered(const grid& g, const std::vector<std::string>& sources,
                                        bool polygons_all_touched) {
    const std::size_t n = g.cells();
    std::vector<std::uint8_t> covered(n, 0);
    for (const auto& path : sources) {
        GDALDatasetUniquePtr ds = gdal::open_vector(path);
        auto mem = mem_raster(g, GDT_Byte);
        for (int li = 0; li < ds->GetLayerCount(); ++li) {
            OGRLayer& layer = *ds->GetLayer(li);
            gdal::transformation tr = to_grid(path, layer, g);
            burnable areas, lines;
            for (auto& f : layer) {
                OGRGeometry* geom = f->GetGeometryRef();
                if (!geom || geom->IsEmpty()) continue;
                std::unique_ptr<OGRGeometry> copy(geom->clone());
                if (!tr.apply(*copy))
                    throw crs_error({path, layer.GetName(), f->GetFID(), {}, {}}, "cannot transform",
                                    "the feature cannot be transformed to the grid's CRS");
                auto type = wkbFlatten(copy->getGeometryType());
                burnable& to = (type == wkbLineString || type == wkbMultiLineString) ? lines : areas;
                to.geometries.push_back(std::move(copy));
                to.values.push_back(1);
            }
            burn(*mem, areas, polygons_all_touched, {path, layer.GetName(), {}, {}, {}});
            burn(*mem, lines, true, {path, layer.GetName(), {}, {}, {}});
        }
        std::vector<std::uint8_t> cells(n);
        if (mem->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                                            cells.data(), static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Byte,
                                            0, 0) != CE_None)
            throw format_error({path, {}, {}, {}, {}}, "cannot rasterise", CPLGetLastErrorMsg());
        for (std::size_t i = 0; i < n; ++i) covered[i] |= cells[i];
    }
    return covered;
}

// The speed of the fastest road touching each cell (0 where none).
std::vector<float> road_speeds_on_grid(const grid& g, road_set roads) {
    std::stable_sort(roads.roads.begin(), roads.roads.end(),
                     [](const road& a, const road& b) { return a.kmh < b.kmh; });
    burnable b;
    for (auto& r : roads.roads) b.values.push_back(r.kmh), b.geometries.push_back(std::move(r.geometry));
    auto mem = mem_raster(g, GDT_Float32);
    const error_location where{roads.path, roads.layer, {}, {}, {}};
    burn(*mem, b, true, where);
    std::vector<float> kmh(g.cells());
    if (mem->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows), kmh.data(),
                                        static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Float32, 0,
                                        0) != CE_None)
        throw format_error(where, "cannot rasterise", CPLGetLastErrorMsg());
    return kmh;
}

grid grid_for(const grid_request& request, const std::string& dem) {
    const error_location where{dem, {}, {}, "grid", {}};
    OGRSpatialReference target;
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (target.SetFromUserInput(request.crs.c_str()) != OGRERR_NONE)
        throw crs_error(where, "unknown CRS", "the grid's CRS '" + request.crs + "' is not one PROJ knows");
    if (!target.IsProjected())
        throw crs_error(where, "geographic CRS",
                        "the grid's CRS '" + request.crs + "' is not projected: cells are sized in metres");
    if (!(request.resolution > 0) || !std::isfinite(request.resolution))
        throw format_error(where, "bad resolution", "the cell size must be more than 0 metres");
    std::array<double, 4> e{};
    if (request.extent) {
        e = *request.extent;
    } else {
        if (dem.empty())
            throw format_error(where, "no grid", "without land cover the grid needs an extent or a DEM (--dem)");
        GDALDatasetUniquePtr ds(GDALDataset::Open(dem.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (!ds) throw format_error(where, "cannot open the raster", CPLGetLastErrorMsg());
        double gt[6];
        const OGRSpatialReference* srs = ds->GetSpatialRef();
        if (ds->GetGeoTransform(gt) != CE_None || !srs)
            throw crs_error(where, "no georeferencing", "the DEM has no geotransform or no CRS");
        double x0 = gt[0], x1 = gt[0] + gt[1] * ds->GetRasterXSize();
        double y0 = gt[3] + gt[5] * ds->GetRasterYSize(), y1 = gt[3];
        gdal::transformation tr = gdal::transformation_to(srs, request.crs, where);
        e = {std::min(x0, x1), std::min(y0, y1), std::max(x0, x1), std::max(y0, y1)};
        if (!tr.identity && !tr.op->TransformBounds(e[0], e[1], e[2], e[3], &e[0], &e[1], &e[2], &e[3], 21))
            throw crs_error(where, "cannot transform", "the DEM's bounds cannot be transformed to " + request.crs);
    }
    const double r = request.resolution;
    grid g;
    g.x0 = std::floor(e[0] / r) * r;
    g.y0 = std::ceil(e[3] / r) * r;
    const double cols = std::ceil(e[2] / r) - std::floor(e[0] / r), rows = std::ceil(e[3] / r) - std::floor(e[1] / r);
    if (!(cols >= 1 && rows >= 1) || !std::isfinite(cols * rows))
        throw format_error(where, "empty extent", "the grid's extent holds no cell (xmin < xmax and ymin < ymax)");
    if (cols * rows > 2147483647.0)
        throw format_error(where, "grid too large",
                           "the grid would hold " + std::to_string(static_cast<long long>(cols * rows)) +
                               " cells; at most 2^31 (coarser resolution or a smaller extent)");
    g.cols = static_cast<std::size_t>(cols), g.rows = static_cast<std::size_t>(rows);
    g.ew_res = g.ns_res = r;
    char* wkt = nullptr;
    target.exportToWkt(&wkt);
    g.crs_wkt = wkt ? wkt : "";
    CPLFree(wkt);
    return g;
}

namespace {

// The DEM's pixels as floats, NaN where it has no data.
struct dem_pixels {
    std::vector<float> z;
    int cols = 0, rows = 0;
    double gt[6] = {};
    std::string wkt;
};

dem_pixels read_dem(const std::string& path) {
    GDALDatasetUniquePtr dem(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!dem) throw format_error({path, {}, {}, {}, {}}, "cannot open the raster", CPLGetLastErrorMsg());
    dem_pixels d;
    d.cols = dem->GetRasterXSize(), d.rows = dem->GetRasterYSize();
    if (dem->GetGeoTransform(d.gt) != CE_None)
        throw format_error({path, {}, {}, {}, {}}, "no georeferencing", "the elevation raster has no geotransform");
    if (const OGRSpatialReference* srs = dem->GetSpatialRef()) {
        char* wkt = nullptr;
        srs->exportToWkt(&wkt);
        d.wkt = wkt ? wkt : "";
        CPLFree(wkt);
    }
    if (d.wkt.empty()) throw format_error({path, {}, {}, {}, {}}, "no CRS", "the elevation raster has no CRS");
    GDALRasterBand* band = dem->GetRasterBand(1);
    d.z.resize(static_cast<std::size_t>(d.cols) * static_cast<std::size_t>(d.rows));
    if (band->RasterIO(GF_Read, 0, 0, d.cols, d.rows, d.z.data(), d.cols, d.rows, GDT_Float32, 0, 0) != CE_None)
        throw format_error({path, {}, {}, {}, {}}, "cannot read the raster", CPLGetLastErrorMsg());
    int has_nodata = 0;
    const auto nodata = static_cast<float>(band->GetNoDataValue(&has_nodata));
    if (has_nodata)
        for (float& v : d.z)
            if (v == nodata) v = std::numeric_limits<float>::quiet_NaN();
    return d;
}

// The bilinear sample at pixel/line position (x, y) of the DEM: the four pixels whose centres
// surround it, no-data pixels left out and the others' weights renormalised (gdalwarp's rule
// for no data). gdalwarp also widens its kernel when the target cells are larger than the
// pixels (100 m cells over 3" SRTM: 1.09 pixels), so its values differ from these by 0.5 m on
// average; these are the plain bilinear of r.resamp.interp.
float bilinear(const dem_pixels& d, double x, double y) {
    if (!(x >= 0 && y >= 0 && x < d.cols && y < d.rows)) return std::numeric_limits<float>::quiet_NaN();
    const double fx = x - 0.5, fy = y - 0.5;
    const auto ix = static_cast<int>(std::floor(fx)), iy = static_cast<int>(std::floor(fy));
    const double wx = fx - ix, wy = fy - iy;
    double sum = 0, weight = 0;
    for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx) {
            const int px = ix + dx, py = iy + dy;
            if (px < 0 || py < 0 || px >= d.cols || py >= d.rows) continue;
            const float v = d.z[static_cast<std::size_t>(py) * static_cast<std::size_t>(d.cols) + px];
            const double w = (dx ? wx : 1 - wx) * (dy ? wy : 1 - wy);
            if (std::isnan(v) || w <= 0) continue;
            sum += w * v, weight += w;
        }
    return weight < 1e-5 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(sum / weight);
}

// A DEM resampled (bilinear) onto `g`; NaN where it has no data. The cell centres are taken to
// the DEM's pixel/line space by GDAL's own warp transformer, approximated along each row to a
// hundredth of a pixel (gdalwarp's default is an eighth), in bands of rows on every core: 2 s
// for Ecuador's 47 M cells where gdalwarp's masked bilinear kernel took 7-9 s.
std::vector<float> resample_elevation(const std::string& path, const grid& g) {
    const dem_pixels d = read_dem(path);
    const double dst_gt[6] = {g.x0, g.ew_res, 0, g.y0, 0, -g.ns_res};
    std::vector<float> out(g.cells(), std::numeric_limits<float>::quiet_NaN());
    constexpr std::size_t band_rows = 64;
    parallel_for((g.rows + band_rows - 1) / band_rows, 0, [&](std::size_t b) {
        void* exact = GDALCreateGenImgProjTransformer3(d.wkt.c_str(), d.gt, g.crs_wkt.c_str(), dst_gt);
        if (!exact) throw format_error({path, {}, {}, {}, {}}, "cannot transform", CPLGetLastErrorMsg());
        void* approx = GDALCreateApproxTransformer(GDALGenImgProjTransform, exact, 0.01);
        GDALApproxTransformerOwnsSubtransformer(approx, TRUE);
        std::vector<double> x(g.cols), y(g.cols), z(g.cols);
        std::vector<int> ok(g.cols);
        for (std::size_t r = b * band_rows; r < std::min(g.rows, (b + 1) * band_rows); ++r) {
            for (std::size_t c = 0; c < g.cols; ++c)
                x[c] = static_cast<double>(c) + 0.5, y[c] = static_cast<double>(r) + 0.5, z[c] = 0;
            GDALApproxTransform(approx, TRUE, static_cast<int>(g.cols), x.data(), y.data(), z.data(), ok.data());
            for (std::size_t c = 0; c < g.cols; ++c)
                if (ok[c]) out[r * g.cols + c] = bilinear(d, x[c], y[c]);
        }
        GDALDestroyApproxTransformer(approx);
    });
    return out;
}

}  // namespace

namespace {

// The land cover's grid and classes, and its speed table.
void read_landcover(const friction_inputs& in, friction_layers& out) {
    cost_surface s = read_cost_raster(in.landcover);  // validates north-up and projected
    out.g = s.g;
    const grid& g = out.g;
    const std::size_t n = g.cells();
    out.classes.resize(n);
    out.known.resize(n);
    GDALDatasetUniquePtr ds(GDALDataset::Open(in.landcover.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    GDALRasterBand* band = ds->GetRasterBand(1);
    if (band->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows), out.classes.data(),
                       static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Int32, 0, 0) != CE_None)
        throw format_error({in.landcover, {}, {}, {}, {}}, "cannot read the raster", CPLGetLastErrorMsg());
    for (std::size_t i = 0; i < n; ++i) out.known[i] = !std::isnan(s.cost[i]);  // no-data cells
    out.speeds = read_speed_table(in.speeds, true);
}

// No land cover: one class walked everywhere the DEM (when given) has data.
void uniform_walking(const friction_inputs& in, friction_layers& out) {
    if (!(in.walk_kmh > 0) || !bounds::within(in.walk_kmh, bounds::speed_kmh))
        throw format_error({in.elevation, {}, {}, "walk_kmh", {}}, "no land cover",
                           "without land cover every cell is walked: give a walking speed above 0 km/h "
                           "(--walk-kmh), or --landcover with --speeds");
    out.without_landcover = true;
    out.landcover = "(none: uniform walking at " + std::to_string(in.walk_kmh).substr(0, 4) + " km/h)";
    out.speeds_source = "--walk-kmh";
    out.g = grid_for(in.grid, in.elevation);
    out.classes.assign(out.g.cells(), 0);
    out.known.assign(out.g.cells(), 1);
    out.speeds["0"] = speed_row{in.walk_kmh, true};
}

}  // namespace

friction_layers read_friction_layers(const friction_inputs& in) {
    gdal::ensure_registered();
    friction_layers out;
    out.road_speeds_source = in.road_speeds;
    if (in.landcover.empty()) {
        uniform_walking(in, out);
    } else {
        out.landcover = in.landcover;
        out.speeds_source = in.speeds;
        read_landcover(in, out);
    }
    const grid& g = out.g;
    if (!in.barriers.empty()) out.barrier = cells_covered(g, in.barriers);
    if (!in.roads.empty()) {
        if (in.road_speeds.empty())
            throw format_error({in.roads, {}, {}, {}, {}}, "no road speeds",
                               "roads need a speed table (--road-speeds: class, speed_kmh)");
        auto road_speed = read_speed_table(in.road_speeds, false);
        road_set roads = read_roads(in.roads, in.roads_layer, in.road_field, road_speed, g.crs_wkt);
        out.roads_used = roads.roads.size();
        out.roads_skipped = roads.skipped;
        out.skipped_classes = std::move(roads.skipped_classes);
        out.road_kmh = road_speeds_on_grid(g, std::move(roads));
    }
    if (!in.elevation.empty()) out.elevation = resample_elevation(in.elevation, g);
    // No data in the DEM is the sea (SRTM); a road there is a bridge or a causeway.
    if (out.without_landcover && !out.elevation.empty())
        for (std::size_t i = 0; i < out.known.size(); ++i)
            out.known[i] = !std::isnan(out.elevation[i]) || (!out.road_kmh.empty() && out.road_kmh[i] > 0);
    return out;
}

}  // namespace microplan::geo
