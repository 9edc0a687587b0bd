#include "microplan/geo/io/catchments.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <memory>
#include <vector>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo {

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

}  // namespace microplan::geo
