#include "microplan/geo/access/friction.hpp"

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
#include "microplan/geo/io/names.hpp"

namespace microplan::geo::access {

namespace {}  // namespace

std::map<std::string, speed_row> read_speed_table(const std::string& path, bool with_mode) {
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = *ds->GetLayer(0);
    where.layer = layer.GetName();
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto c_class = gdal::find_column(defn, {"class", "clase", "code", "codigo", "value", "valor", "highway"});
    auto c_speed = gdal::find_column(defn, {"speedkmh", "speed", "velocidadkmh", "velocidad", "kmh"});
    auto c_mode = gdal::find_column(defn, {"mode", "modo"});
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

void burn(GDALDataset& target, const burnable& b, bool all_touched) {
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
    if (err != CE_None) throw std::runtime_error(std::string("rasterising failed: ") + CPLGetLastErrorMsg());
}

std::unique_ptr<OGRCoordinateTransformation> to_grid(OGRLayer& layer, const grid& g) {
    return gdal::transformation_to(layer.GetSpatialRef(), g.crs_wkt);
}

}  // namespace

road_set read_roads(const std::string& path, const std::string& layer_name, const std::string& field,
                    const std::map<std::string, speed_row>& speeds, const std::string& target_crs) {
    GDALDatasetUniquePtr ds = gdal::open_vector(path);
    std::string name = layer_name;
    if (name.empty() && ds->GetLayerByName("lines")) name = "lines";  // OSM files
    OGRLayer& layer = gdal::pick_layer(*ds, path, name);
    const int fi = layer.GetLayerDefn()->GetFieldIndex(field.c_str());
    if (fi < 0)
        throw format_error({path, layer.GetName(), {}, field, {}}, "missing field",
                           "the road layer has no field '" + field + "' (--road-field)");
    auto tr = gdal::transformation_to(layer.GetSpatialRef(), target_crs);
    road_set out;
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
        if (tr && copy->transform(tr.get()) != OGRERR_NONE)
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
            auto tr = to_grid(layer, g);
            burnable areas, lines;
            for (auto& f : layer) {
                OGRGeometry* geom = f->GetGeometryRef();
                if (!geom || geom->IsEmpty()) continue;
                std::unique_ptr<OGRGeometry> copy(geom->clone());
                if (tr && copy->transform(tr.get()) != OGRERR_NONE)
                    throw crs_error({path, layer.GetName(), f->GetFID(), {}, {}}, "cannot transform",
                                    "the feature cannot be transformed to the grid's CRS");
                auto type = wkbFlatten(copy->getGeometryType());
                burnable& to = (type == wkbLineString || type == wkbMultiLineString) ? lines : areas;
                to.geometries.push_back(std::move(copy));
                to.values.push_back(1);
            }
            burn(*mem, areas, false);
            burn(*mem, lines, true);
        }
        std::vector<std::uint8_t> cells(n);
        if (mem->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                                            cells.data(), static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Byte,
                                            0, 0) != CE_None)
            throw std::runtime_error(CPLGetLastErrorMsg());
        for (std::size_t i = 0; i < n; ++i) covered[i] |= cells[i];
    }
    return covered;
}

cost_surface build_friction(const friction_inputs& in, friction_summary* summary) {
    gdal::ensure_registered();
    friction_summary sum;
    // Land cover: the grid.
    cost_surface s = read_cost_raster(in.landcover);  // validates north-up and projected
    const grid& g = s.g;
    const std::size_t n = g.cells();
    std::vector<std::int32_t> classes(n);
    std::vector<std::uint8_t> known(n, 1);
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(in.landcover.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        GDALRasterBand* band = ds->GetRasterBand(1);
        if (band->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows), classes.data(),
                           static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Int32, 0, 0) != CE_None)
            throw format_error({in.landcover, {}, {}, {}, {}}, "cannot read the raster", CPLGetLastErrorMsg());
        for (std::size_t i = 0; i < n; ++i) known[i] = !std::isnan(s.cost[i]);  // no-data cells
    }
    auto speeds = read_speed_table(in.speeds, true);
    std::map<std::int32_t, speed_row> by_class;
    for (const auto& [cls, row] : speeds) {
        char* end = nullptr;
        long v = std::strtol(cls.c_str(), &end, 10);
        if (end == cls.c_str() || *end != '\0')
            throw format_error({in.speeds, {}, {}, "class", {}}, "class not an integer",
                               "land-cover classes are raster values; '" + cls + "' is not one");
        by_class[static_cast<std::int32_t>(v)] = row;
    }
    std::map<std::int32_t, std::size_t> missing;
    s.walking.assign(n, 1);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const double minutes_per_kmh = g.ew_res * 60.0 / 1000.0;  // crossing one cell at 1 km/h
    for (std::size_t i = 0; i < n; ++i) {
        if (!known[i]) continue;
        auto it = by_class.find(classes[i]);
        if (it == by_class.end()) {
            ++missing[classes[i]];
            continue;
        }
        s.cost[i] = it->second.kmh > 0 ? static_cast<float>(minutes_per_kmh / it->second.kmh) : nan;
        s.walking[i] = it->second.walking ? 1 : 0;
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& [cls, count] : missing)
            list += (list.empty() ? "" : ", ") + std::to_string(cls) + " (" + std::to_string(count) + " cells)";
        throw format_error({in.speeds, {}, {}, "class", {}}, "land-cover class without a speed",
                           "the land cover " + in.landcover + " has classes the table does not list: " + list);
    }

    // Barriers: impassable where covered.
    std::vector<std::uint8_t> barrier = cells_covered(g, in.barriers);
    for (std::size_t i = 0; i < n; ++i)
        if (barrier[i]) s.cost[i] = nan, ++sum.barrier_cells;

    // Roads on top: the fastest road touching a cell sets its speed (bridges cross barriers).
    if (!in.roads.empty()) {
        if (in.road_speeds.empty())
            throw format_error({in.roads, {}, {}, {}, {}}, "no road speeds",
                               "roads need a speed table (--road-speeds: class, speed_kmh)");
        auto road_speed = read_speed_table(in.road_speeds, false);
        road_set roads = read_roads(in.roads, in.roads_layer, in.road_field, road_speed, g.crs_wkt);
        sum.roads_used = roads.roads.size();
        sum.roads_skipped = roads.skipped;
        sum.skipped_classes = std::move(roads.skipped_classes);
        std::stable_sort(roads.roads.begin(), roads.roads.end(),
                         [](const road& a, const road& b) { return a.kmh < b.kmh; });
        burnable b;
        for (auto& r : roads.roads) b.values.push_back(r.kmh), b.geometries.push_back(std::move(r.geometry));
        auto mem = mem_raster(g, GDT_Float32);
        burn(*mem, b, true);
        std::vector<float> kmh(n);
        if (mem->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                                            kmh.data(), static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Float32,
                                            0, 0) != CE_None)
            throw std::runtime_error(CPLGetLastErrorMsg());
        for (std::size_t i = 0; i < n; ++i)
            if (kmh[i] > 0 && known[i]) {
                s.cost[i] = static_cast<float>(minutes_per_kmh / kmh[i]);
                s.walking[i] = 0;
                ++sum.road_cells;
            }
    }

    // Elevation, resampled onto the grid.
    if (!in.elevation.empty()) {
        GDALDatasetUniquePtr dem(GDALDataset::Open(in.elevation.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (!dem) throw format_error({in.elevation, {}, {}, {}, {}}, "cannot open the raster", CPLGetLastErrorMsg());
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
        if (failed)
            throw format_error({in.elevation, {}, {}, {}, {}}, "cannot resample the elevation", CPLGetLastErrorMsg());
        s.elevation.resize(n);
        if (target->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                                               s.elevation.data(), static_cast<int>(g.cols), static_cast<int>(g.rows),
                                               GDT_Float32, 0, 0) != CE_None)
            throw format_error({in.elevation, {}, {}, {}, {}}, "cannot read the raster", CPLGetLastErrorMsg());
    }
    for (float c : s.cost) sum.impassable += std::isnan(c) ? 1 : 0;
    if (summary) *summary = std::move(sum);
    return s;
}

}  // namespace microplan::geo::access
