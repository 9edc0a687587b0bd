#include "microplan/geo/access/analysis.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <sstream>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/store/establishments.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::access {

establishment_points read_establishment_points(sqlite::connection& db, const std::string& sector,
                                               const std::string& typology, const std::string& crs) {
    establishment_points out;
    proj::transformer to(std::string("EPSG:4326"), crs);
    for (const establishment& e : store::read_establishments(db)) {
        if (e.sector != sector || (!typology.empty() && e.typology != typology) || e.status != "existing") continue;
        double x = e.lon, y = e.lat;
        if (!std::isfinite(x) || !std::isfinite(y) || !to.forward(x, y)) continue;
        out.fid.push_back(e.row);
        out.code.push_back(e.id);
        out.name.push_back(e.name);
        out.typology.push_back(e.typology);
        out.x.push_back(x);
        out.y.push_back(y);
        out.capacity.push_back(e.capacity.value_or(0));
    }
    return out;
}

std::vector<unit_layer> read_unit_levels(sqlite::connection& db) {
    std::vector<unit_layer> out;
    for (level lvl : store::levels_present(db)) out.push_back(store::read_level(db, lvl));
    return out;
}

std::map<std::string, std::map<std::string, unit_access>> statistics_by_level(std::span<const unit_layer> levels,
                                                                              const population_grid& pop,
                                                                              std::span<const float> values,
                                                                              std::span<const double> thresholds) {
    std::map<std::string, std::map<std::string, unit_access>> out;
    for (const unit_layer& layer : levels) {
        std::vector<const GEOSGeometry*> geoms;
        for (const auto& u : layer.units) geoms.push_back(u.geometry.get());
        auto stats = unit_statistics(pop, values, geoms, "EPSG:4326", thresholds);
        auto& by_code = out[std::string(level_name(layer.lvl))];
        for (std::size_t i = 0; i < layer.units.size(); ++i) by_code[layer.units[i].code] = std::move(stats[i]);
    }
    return out;
}

namespace {
std::string describe_thresholds(std::span<const double> t, const char* units) {
    std::ostringstream s;
    for (std::size_t i = 0; i < t.size(); ++i) s << (i ? "/" : "") << t[i];
    s << " " << units;
    return s.str();
}
}  // namespace

travel_time_result travel_time_accessibility(sqlite::connection& db, std::span<const unit_layer> levels,
                                             const cost_surface& surface, const population_grid& pop,
                                             const accessibility_options& options) {
    travel_time_result r;
    r.sources = read_establishment_points(db, options.sector, options.typology, surface.g.crs_wkt);
    std::vector<source> src;
    for (std::size_t i = 0; i < r.sources.size(); ++i)
        src.push_back({r.sources.x[i], r.sources.y[i], static_cast<std::int32_t>(i)});
    cost_distance_options o;
    o.moves = options.moves;
    if (options.max_minutes > 0) o.max_cost = options.max_minutes;
    r.times = cost_distance(surface, src, o);
    r.at_people = sample_at_centres(pop, surface.g, r.times.cost);
    auto& run = r.run;
    run.sector = options.sector, run.typology = options.typology;
    run.measure = "travel_time", run.units = "min";
    run.thresholds = options.thresholds;
    run.establishments = r.sources.size() - r.times.unplaced.size();
    run.method = std::string("cost distance over a friction surface (") +
                 (options.moves == neighbourhood::knight ? "16" : "8") + " neighbours, " +
                 (surface.elevation.empty() ? "no slope" : "Tobler slope") + "), " + std::to_string(surface.g.cols) +
                 "x" + std::to_string(surface.g.rows) + " cells of " +
                 std::to_string(static_cast<long long>(std::lround(surface.g.ew_res))) + " m; thresholds " +
                 describe_thresholds(options.thresholds, "min");
    run.units_by_level = statistics_by_level(levels, pop, r.at_people, options.thresholds);
    return r;
}

store::accessibility_run distance_accessibility(sqlite::connection& db, std::span<const unit_layer> levels,
                                                const population_grid& pop, const accessibility_options& options,
                                                std::vector<float>* km_out) {
    auto points = read_establishment_points(db, options.sector, options.typology, pop.centres_crs);
    nearest_index index(points.x, points.y);
    std::vector<float> km(pop.occupied.size(), std::numeric_limits<float>::infinity());
    for (std::size_t k = 0; k < km.size(); ++k)
        if (auto hit = index.nearest(pop.cx[k], pop.cy[k])) km[k] = static_cast<float>(hit->second / 1000.0);
    store::accessibility_run run;
    run.sector = options.sector, run.typology = options.typology;
    run.measure = "distance", run.units = "km";
    run.thresholds = options.thresholds;
    run.establishments = points.size();
    run.method = "straight-line distance from each population cell centre to the nearest establishment in " +
                 proj::crs_name(pop.centres_crs) + "; thresholds " + describe_thresholds(options.thresholds, "km");
    run.units_by_level = statistics_by_level(levels, pop, km, options.thresholds);
    if (km_out) *km_out = std::move(km);
    return run;
}

void write_catchments(const std::string& path, const grid& g, std::span<const std::int32_t> nearest,
                      const establishment_points& sources, const population_grid* pop) {
    gdal::ensure_registered();
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDatasetUniquePtr raster(
        mem->Create("", static_cast<int>(g.cols), static_cast<int>(g.rows), 1, GDT_Int32, nullptr));
    double gt[6] = {g.x0, g.ew_res, 0, g.y0, 0, -g.ns_res};
    raster->SetGeoTransform(gt);
    if (!g.crs_wkt.empty()) raster->SetProjection(g.crs_wkt.c_str());
    GDALRasterBand* band = raster->GetRasterBand(1);
    band->SetNoDataValue(-1);
    if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                       const_cast<std::int32_t*>(nearest.data()), static_cast<int>(g.cols), static_cast<int>(g.rows),
                       GDT_Int32, 0, 0) != CE_None)
        throw std::runtime_error(CPLGetLastErrorMsg());

    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    VSIUnlink(path.c_str());
    GDALDatasetUniquePtr out(gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!out) throw format_error({path, {}, {}, {}, {}}, "cannot create the GeoPackage", CPLGetLastErrorMsg());
    OGRSpatialReference srs;
    if (!g.crs_wkt.empty()) srs.importFromWkt(g.crs_wkt.c_str());
    // Polygonize into a scratch layer, then dissolve per establishment into the output.
    GDALDatasetUniquePtr scratch(
        GetGDALDriverManager()->GetDriverByName("Memory")->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* parts = scratch->CreateLayer("parts", g.crs_wkt.empty() ? nullptr : &srs, wkbPolygon, nullptr);
    OGRFieldDefn idx("idx", OFTInteger);
    parts->CreateField(&idx);
    if (GDALPolygonize(band, band->GetMaskBand(), parts, 0, nullptr, nullptr, nullptr) != CE_None)
        throw std::runtime_error(std::string("polygonize failed: ") + CPLGetLastErrorMsg());
    std::vector<std::unique_ptr<OGRMultiPolygon>> shapes(sources.size());
    for (auto& f : *parts) {
        int i = f->GetFieldAsInteger(0);
        if (i < 0 || static_cast<std::size_t>(i) >= sources.size()) continue;
        if (!shapes[i]) shapes[i] = std::make_unique<OGRMultiPolygon>();
        shapes[i]->addGeometry(f->GetGeometryRef());
    }
    std::vector<double> people(sources.size(), 0.0);
    if (pop)
        for (std::size_t k = 0; k < pop->occupied.size(); ++k)
            if (auto cell = g.cell_of(pop->cx[k], pop->cy[k])) {
                std::int32_t i = nearest[*cell];
                if (i >= 0 && static_cast<std::size_t>(i) < sources.size()) people[i] += pop->people[pop->occupied[k]];
            }
    OGRLayer* layer = out->CreateLayer("catchments", g.crs_wkt.empty() ? nullptr : &srs, wkbMultiPolygon, nullptr);
    for (auto [name, type] : {std::pair{"establishment_fid", OFTInteger64},
                              {"code", OFTString},
                              {"name", OFTString},
                              {"typology", OFTString},
                              {"population", OFTReal},
                              {"area_km2", OFTReal}}) {
        OGRFieldDefn fd(name, type);
        layer->CreateField(&fd);
    }
    if (out->StartTransaction() != OGRERR_NONE) throw std::runtime_error(CPLGetLastErrorMsg());
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!shapes[i]) continue;
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("establishment_fid", static_cast<GIntBig>(sources.fid[i]));
        f.SetField("code", sources.code[i].c_str());
        f.SetField("name", sources.name[i].c_str());
        f.SetField("typology", sources.typology[i].c_str());
        f.SetField("population", std::round(people[i]));
        f.SetField("area_km2", shapes[i]->get_Area() / 1e6);
        f.SetGeometryDirectly(shapes[i].release());
        if (layer->CreateFeature(&f) != OGRERR_NONE)
            throw format_error({path, "catchments", {}, {}, {}}, "cannot write", CPLGetLastErrorMsg());
    }
    if (out->CommitTransaction() != OGRERR_NONE) throw std::runtime_error(CPLGetLastErrorMsg());
}

}  // namespace microplan::geo::access
