#include "microplan/geo/io/catchments.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <memory>
#include <vector>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/vector_writer.hpp"

namespace microplan::geo {

namespace {

// The nearest-establishment raster polygonised (GDALPolygonize) into one MultiPolygon per
// establishment index; null where an establishment has no cell.
std::vector<std::unique_ptr<OGRMultiPolygon>> polygonize_catchments(const std::string& path, const grid& g,
                                                                    std::span<const std::int32_t> nearest,
                                                                    std::size_t sources) {
    const error_location where{path, "catchments", {}, {}, {}};
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDatasetUniquePtr raster(
        mem->Create("", static_cast<int>(g.cols), static_cast<int>(g.rows), 1, GDT_Int32, nullptr));
    if (!raster) throw format_error(where, "cannot polygonise", CPLGetLastErrorMsg());
    double gt[6] = {g.x0, g.ew_res, 0, g.y0, 0, -g.ns_res};
    raster->SetGeoTransform(gt);
    if (!g.crs_wkt.empty()) raster->SetProjection(g.crs_wkt.c_str());
    GDALRasterBand* band = raster->GetRasterBand(1);
    band->SetNoDataValue(-1);
    if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                       const_cast<std::int32_t*>(nearest.data()), static_cast<int>(g.cols), static_cast<int>(g.rows),
                       GDT_Int32, 0, 0) != CE_None)
        throw format_error(where, "cannot polygonise", CPLGetLastErrorMsg());
    OGRSpatialReference srs;
    if (!g.crs_wkt.empty()) srs.importFromWkt(g.crs_wkt.c_str());
    // Polygonize into a scratch layer; the caller writes the dissolved shapes.
    GDALDatasetUniquePtr scratch(
        GetGDALDriverManager()->GetDriverByName("Memory")->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* parts = scratch->CreateLayer("parts", g.crs_wkt.empty() ? nullptr : &srs, wkbPolygon, nullptr);
    OGRFieldDefn idx("idx", OFTInteger);
    if (!parts || parts->CreateField(&idx) != OGRERR_NONE)
        throw format_error(where, "cannot polygonise", CPLGetLastErrorMsg());
    if (GDALPolygonize(band, band->GetMaskBand(), parts, 0, nullptr, nullptr, nullptr) != CE_None)
        throw format_error(where, "cannot polygonise", CPLGetLastErrorMsg());
    std::vector<std::unique_ptr<OGRMultiPolygon>> shapes(sources);
    for (auto& f : *parts) {
        int i = f->GetFieldAsInteger(0);
        if (i < 0 || static_cast<std::size_t>(i) >= sources) continue;
        if (!shapes[i]) shapes[i] = std::make_unique<OGRMultiPolygon>();
        shapes[i]->addGeometry(f->GetGeometryRef());
    }
    return shapes;
}

}  // namespace

void write_catchments(const std::string& path, const grid& g, std::span<const std::int32_t> nearest,
                      const establishment_points& sources, const population_grid* pop) {
    gdal::ensure_registered();
    auto shapes = polygonize_catchments(path, g, nearest, sources.size());
    std::vector<double> people(sources.size(), 0.0);
    if (pop)
        for (std::size_t k = 0; k < pop->occupied.size(); ++k)
            if (auto cell = g.cell_of(pop->cx[k], pop->cy[k])) {
                std::int32_t i = nearest[*cell];
                if (i >= 0 && static_cast<std::size_t>(i) < sources.size()) people[i] += pop->people[pop->occupied[k]];
            }
    vector_writer out(path, "GPKG");
    auto layer = out.add_layer("catchments", wkbMultiPolygon, g.crs_wkt,
                               {{"establishment_fid", field_type::integer64},
                                {"code", field_type::text},
                                {"name", field_type::text},
                                {"typology", field_type::text},
                                {"population", field_type::real},
                                {"area_km2", field_type::real}});
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!shapes[i]) continue;
        const double area_km2 = shapes[i]->get_Area() / 1e6;
        out.write(layer, std::unique_ptr<OGRGeometry>(shapes[i].release()),
                  {std::int64_t{sources.fid[i]}, sources.code[i], sources.name[i], sources.typology[i],
                   std::round(people[i]), area_km2});
    }
    out.commit();
}

}  // namespace microplan::geo
