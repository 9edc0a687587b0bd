// Sources are read, never written beside: shared data may sit on a read-only share (CI mounts
// ../shared read-only). GDAL writes sidecars on its own: /vsigzip/ saves a `.properties` index
// beside a .gz it had to measure (gdal::open_vector's VSIStatL did), and PAM saves an
// `.aux.xml` beside a raster whose statistics or metadata were touched. Each reader is run
// exactly as the code runs it, on copies in a scratch folder, and the folder must not change.
#include "geo/io/read_only_sources.hpp"

#include <cpl_vsi.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/raster.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/population/zonal.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

using read_only::folder_of;
using read_only::listing;
using test::scratch;

void gzip_file(const std::string& text, const std::string& path) {
    gdal::ensure_registered();
    VSILFILE* f = VSIFOpenL(("/vsigzip/" + path).c_str(), "wb");
    ASSERT_TRUE(f);
    ASSERT_EQ(VSIFWriteL(text.data(), 1, text.size(), f), text.size());
    VSIFCloseL(f);
}

// A 10 x 10 people-per-cell GeoTIFF in lon/lat over Quito, with a no-data value.
std::string write_population_tif(const scratch& s) {
    gdal::ensure_registered();
    std::string path = s.path("people.tif");
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), 10, 10, 1, GDT_Float32, nullptr));
    double gt[6] = {-79.0, 0.01, 0, -0.9, 0, -0.01};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    ds->SetSpatialRef(&srs);
    std::vector<float> v(100, 3.0f);
    v[7] = -1;
    ds->GetRasterBand(1)->SetNoDataValue(-1);
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 10, 10, v.data(), 10, 10, GDT_Float32, 0, 0), CE_None);
    return path;
}

TEST(ReadOnlySources, RastersGetNoAuxXml) {
    scratch s;
    std::string tif = write_population_tif(s);
    const auto before = listing(folder_of(s));
    auto square = geos::from_wkt("POLYGON((-79 -1, -78.95 -1, -78.95 -0.95, -79 -0.95, -79 -1))");
    const GEOSGeometry* geometries[] = {square.get()};
    zonal_result z = zonal_sums(tif, geometries, "EPSG:4326", {1, 1});
    EXPECT_GT(z.sums[0], 0);
    population_grid p = read_population_grid(tif, "EPSG:32717");
    EXPECT_EQ(p.occupied.size(), 99u);
    EXPECT_EQ(listing(folder_of(s)), before);
}

TEST(ReadOnlySources, GzippedVectorsGetNoPropertiesFile) {
    scratch s;
    const std::string ring = "[[-79.0,-1.0],[-78.9,-1.0],[-78.9,-0.9],[-79.0,-0.9],[-79.0,-1.0]]";
    gzip_file(test::feature_collection(test::polygon_feature(R"({"DPA_PARROQ":"170150"})", ring)),
              s.path("parishes.geojson.gz"));
    gzip_file("id,lon,lat\n1,-78.5,-0.2\n", s.path("points.csv.gz"));
    const auto before = listing(folder_of(s));
    import_options o;
    o.path = "/vsigzip/" + s.path("parishes.geojson.gz");
    o.lvl = level::parish;
    o.threads = 1;
    EXPECT_EQ(read_units(o).layer.units.size(), 1u);
    establishment_import_options e;
    e.path = "/vsigzip/" + s.path("points.csv.gz");
    e.sector = "health";
    EXPECT_EQ(read_establishments(e).rows.size(), 1u);
    EXPECT_EQ(listing(folder_of(s)), before);
}

}  // namespace
}  // namespace microplan::geo
