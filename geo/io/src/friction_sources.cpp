#include "microplan/geo/io/friction_sources.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "microplan/geo/core/gdal.hpp"
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
    const int fi = layer.GetLayerDefn()->GetFieldIndex(field.c_str());
    if (fi < 0)
        throw format_error({path, layer.GetName(), {}, field, {}}, "missing field",
                           "the road layer has no field '" + field + "' (--road-field)");
    gdal::transformation tr =
        gdal::transformation_to(layer.GetSpatialRef(), target_crs, {path, layer.GetName(), {}, {}, {}});
    road_set out;
    out.path = path;
    out.layer = layer.GetName();
    std::set<std::string> skipped;
    for (auto& f : layer) {
        OGRGeometry* geom = f->GetGeometryRef();
        if (!geom || geom->IsEmpty()) continue;
        const char* cls = f->GetFieldAsString(fi);
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

std::vector<std::uint8_t> cells_covered(const grid& g, const std::vector<std::string>& sources) {
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
            burn(*mem, areas, false, {path, layer.GetName(), {}, {}, {}});
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

namespace {

// The speed of the fastest road touching each cell (0 where none).
std::vector<float> burn_roads(const grid& g, road_set roads) {
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

// A DEM resampled (bilinear) onto `g`; NaN where it has no data.
std::vector<float> resample_elevation(const std::string& path, const grid& g) {
    GDALDatasetUniquePtr dem(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!dem) throw format_error({path, {}, {}, {}, {}}, "cannot open the raster", CPLGetLastErrorMsg());
    auto target = mem_raster(g, GDT_Float32);
    target->GetRasterBand(1)->SetNoDataValue(std::nan(""));
    target->GetRasterBand(1)->Fill(std::nan(""));
    std::vector<std::string> args = {"-r", "bilinear", "-dstnodata", "nan"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    GDALWarpAppOptions* wo = GDALWarpAppOptionsNew(argv.data(), nullptr);
    GDALDatasetH src = GDALDataset::ToHandle(dem.get());
    int failed = 0;
    GDALWarp(nullptr, GDALDataset::ToHandle(target.get()), 1, &src, wo, &failed);
    GDALWarpAppOptionsFree(wo);
    if (failed) throw format_error({path, {}, {}, {}, {}}, "cannot resample the elevation", CPLGetLastErrorMsg());
    std::vector<float> out(g.cells());
    if (target->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                                           out.data(), static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Float32,
                                           0, 0) != CE_None)
        throw format_error({path, {}, {}, {}, {}}, "cannot read the raster", CPLGetLastErrorMsg());
    return out;
}

}  // namespace

friction_layers read_friction_layers(const friction_inputs& in) {
    gdal::ensure_registered();
    friction_layers out;
    out.landcover = in.landcover;
    out.speeds_source = in.speeds;
    out.road_speeds_source = in.road_speeds;
    // Land cover: the grid.
    cost_surface s = read_cost_raster(in.landcover);  // validates north-up and projected
    out.g = s.g;
    const grid& g = out.g;
    const std::size_t n = g.cells();
    out.classes.resize(n);
    out.known.resize(n);
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(in.landcover.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        GDALRasterBand* band = ds->GetRasterBand(1);
        if (band->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows), out.classes.data(),
                           static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Int32, 0, 0) != CE_None)
            throw format_error({in.landcover, {}, {}, {}, {}}, "cannot read the raster", CPLGetLastErrorMsg());
        for (std::size_t i = 0; i < n; ++i) out.known[i] = !std::isnan(s.cost[i]);  // no-data cells
    }
    out.speeds = read_speed_table(in.speeds, true);
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
        out.road_kmh = burn_roads(g, std::move(roads));
    }
    if (!in.elevation.empty()) out.elevation = resample_elevation(in.elevation, g);
    return out;
}

}  // namespace microplan::geo
