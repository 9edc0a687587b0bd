#include "microplan/geo/io/vector_import.hpp"

#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../support.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/error.hpp"

using namespace microplan::geo;
using microplan::test::feature_collection;
using microplan::test::polygon_feature;
using microplan::test::scratch;

namespace {

// Two neighbouring squares in Ecuador (lon, lat).
const std::string square_a = "[[-79.0,-1.0],[-78.9,-1.0],[-78.9,-0.9],[-79.0,-0.9],[-79.0,-1.0]]";
const std::string square_b = "[[-78.9,-1.0],[-78.8,-1.0],[-78.8,-0.9],[-78.9,-0.9],[-78.9,-1.0]]";

import_options options_for(const std::string& path, level l) {
    import_options o;
    o.path = path;
    o.lvl = l;
    o.threads = 2;
    return o;
}

// Expects read_units to throw an error of type E whose message holds every fragment.
template <typename E>
void expect_error(const import_options& o, std::initializer_list<const char*> fragments) {
    try {
        read_units(o);
        FAIL() << "no error for " << o.path;
    } catch (const E& e) {
        for (const char* f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
    }
}

bool has_rule(const findings& r, const std::string& rule) {
    for (const auto& f : r.items)
        if (f.rule == rule) return true;
    return false;
}

// A Shapefile of one Ecuador square written through GDAL; `srs` may be null (no .prj).
std::string write_shapefile(const scratch& dir, const std::string& name, const OGRSpatialReference* srs,
                            const char* encoding, const std::string& code, const std::string& label) {
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
    std::string path = dir.path(name + ".shp");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    const char* opts[] = {encoding, nullptr};
    OGRLayer* layer = ds->CreateLayer(name.c_str(), const_cast<OGRSpatialReference*>(srs), wkbPolygon,
                                      encoding ? const_cast<char**>(opts) : nullptr);
    OGRFieldDefn code_f("DPA_PARROQ", OFTString), name_f("DPA_DESPAR", OFTString);
    layer->CreateField(&code_f);
    layer->CreateField(&name_f);
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    f->SetField("DPA_PARROQ", code.c_str());
    f->SetField("DPA_DESPAR", label.c_str());
    OGRGeometry* g = nullptr;
    OGRGeometryFactory::createFromWkt("POLYGON((-79 -1,-78.9 -1,-78.9 -0.9,-79 -0.9,-79 -1))", nullptr, &g);
    f->SetGeometryDirectly(g);
    EXPECT_EQ(layer->CreateFeature(f.get()), OGRERR_NONE);
    return path;
}

}  // namespace

TEST(VectorImport, ReadsGeoJsonWithDetectedFields) {
    scratch dir;
    std::string path =
        dir.write("c.geojson", feature_collection(polygon_feature(R"({"id":"1701","name":"QUITO"})", square_a) + "," +
                                                  polygon_feature(R"({"id":"1702","name":"CAYAMBE"})", square_b)));
    import_result r = read_units(options_for(path, level::canton));
    ASSERT_EQ(r.layer.units.size(), 2u);
    EXPECT_EQ(r.used_fields.code, "id");
    EXPECT_EQ(r.used_fields.name, "name");
    EXPECT_EQ(r.layer.units[0].code, "1701");
    EXPECT_EQ(r.layer.units[0].name, "QUITO");
    // 0.1° x 0.1° near the equator: about 11.1 km x 11.05 km.
    EXPECT_NEAR(r.layer.units[0].area_km2, 122.9, 1.5);
    EXPECT_TRUE(r.report.items.empty());
}

TEST(VectorImport, PadsDpaCodesThatLostTheirLeadingZero) {
    EXPECT_EQ(normalise_code(level::parish, "90150"), "090150");
    EXPECT_EQ(normalise_code(level::canton, "901"), "0901");
    EXPECT_EQ(normalise_code(level::province, "9"), "09");
    EXPECT_EQ(normalise_code(level::district, "9d01"), "09D01");
    EXPECT_EQ(normalise_code(level::zone, "8"), "Z8");
}

TEST(VectorImport, NonexistentFile) {
    expect_error<format_error>(options_for("/nonexistent/parishes.gpkg", level::parish),
                               {"/nonexistent/parishes.gpkg", "file not found"});
}

TEST(VectorImport, UnreadableFile) {
    if (::geteuid() == 0) GTEST_SKIP() << "running as root: file permissions do not stop root from reading";
    scratch dir;
    std::string path = dir.write("locked.geojson", feature_collection(""));
    ::chmod(path.c_str(), 0);
    expect_error<format_error>(options_for(path, level::parish), {"locked.geojson", "not readable"});
}

TEST(VectorImport, UnsupportedFormat) {
    scratch dir;
    std::string path = dir.write("notes.txt", "these are not polygons\n");
    expect_error<format_error>(options_for(path, level::parish), {"notes.txt", "unsupported format"});
}

TEST(VectorImport, EmptyLayer) {
    scratch dir;
    std::string path = dir.write("empty.geojson", feature_collection(""));
    expect_error<format_error>(options_for(path, level::parish), {"empty.geojson", "empty layer"});
}

TEST(VectorImport, MissingCodeField) {
    scratch dir;
    std::string path =
        dir.write("nocode.geojson", feature_collection(polygon_feature(R"({"colour":"red"})", square_a)));
    expect_error<format_error>(options_for(path, level::parish),
                               {"nocode.geojson", "no code field", "colour", "--code-field"});
    import_options o = options_for(path, level::parish);
    o.fields.code = "codigo";
    expect_error<format_error>(o, {"field 'codigo'", "field not found", "colour"});
}

TEST(VectorImport, EmptyCode) {
    scratch dir;
    std::string path =
        dir.write("blank.geojson", feature_collection(polygon_feature(R"({"code":"170150"})", square_a) + "," +
                                                      polygon_feature(R"({"code":" "})", square_b)));
    expect_error<format_error>(options_for(path, level::parish),
                               {"blank.geojson", "feature 1", "field 'code'", "empty code"});
}

TEST(VectorImport, DuplicateCodes) {
    scratch dir;
    std::string path =
        dir.write("dup.geojson", feature_collection(polygon_feature(R"({"code":"170150"})", square_a) + "," +
                                                    polygon_feature(R"({"code":"170150"})", square_b)));
    expect_error<format_error>(options_for(path, level::parish),
                               {"dup.geojson", "feature 1", "duplicate code", "170150", "feature 0"});
}

TEST(VectorImport, SwappedAxesAreDetected) {
    scratch dir;
    // The same square written (lat, lon).
    std::string swapped = "[[-1.0,-79.0],[-1.0,-78.9],[-0.9,-78.9],[-0.9,-79.0],[-1.0,-79.0]]";
    std::string path =
        dir.write("latlon.geojson", feature_collection(polygon_feature(R"({"code":"170150"})", swapped)));
    expect_error<crs_error>(options_for(path, level::parish), {"latlon.geojson", "axes swapped", "--swap-xy"});
    import_options o = options_for(path, level::parish);
    o.swap_xy = true;
    import_result r = read_units(o);
    EXPECT_NEAR(r.layer.units[0].area_km2, 122.9, 1.5);
    auto env = geos::envelope_of(r.layer.units[0].geometry.get());
    EXPECT_DOUBLE_EQ(env.minx, -79.0);
    EXPECT_DOUBLE_EQ(env.miny, -1.0);
}

TEST(VectorImport, AnUnknownCrsIsACrsErrorNamingFileAndCrs) {
    scratch dir;
    std::string path = dir.write("q.geojson", feature_collection(polygon_feature(R"({"code":"170150"})", square_a)));
    import_options o = options_for(path, level::parish);
    o.source_crs = "EPSG:999999";
    expect_error<crs_error>(o, {"q.geojson", "unknown CRS", "'EPSG:999999'"});
}

TEST(VectorImport, DataWithoutCrs) {
    scratch dir;
    std::string path = write_shapefile(dir, "noprj", nullptr, nullptr, "170150", "QUITO");
    expect_error<crs_error>(options_for(path, level::parish), {"noprj.shp", "no CRS", "--s-srs"});
    import_options o = options_for(path, level::parish);
    o.source_crs = "EPSG:4326";
    EXPECT_EQ(read_units(o).layer.units.size(), 1u);
}

TEST(VectorImport, ProjectedSourceIsReprojected) {
    scratch dir;
    OGRSpatialReference utm;
    utm.importFromEPSG(32717);
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    std::string path = dir.path("utm.gpkg");
    {
        GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* layer = ds->CreateLayer("circuits", &utm, wkbPolygon, nullptr);
        OGRFieldDefn code_f("cod_circuito", OFTString);
        layer->CreateField(&code_f);
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        f->SetField("cod_circuito", "17D06C03");
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkt(
            "POLYGON((776000 9975000,778000 9975000,778000 9977000,776000 9977000,776000 9975000))", nullptr, &g);
        f->SetGeometryDirectly(g);
        ASSERT_EQ(layer->CreateFeature(f.get()), OGRERR_NONE);
    }
    import_result r = read_units(options_for(path, level::circuit));
    ASSERT_EQ(r.layer.units.size(), 1u);
    EXPECT_NEAR(r.layer.units[0].area_km2, 4.0, 1e-6);
    auto env = geos::envelope_of(r.layer.units[0].geometry.get());
    EXPECT_NEAR(env.minx, -78.52, 0.02);  // Quito, in lon/lat
    EXPECT_NEAR(env.miny, -0.23, 0.02);
}

TEST(VectorImport, SelfIntersectingPolygonIsRepairedAndReported) {
    scratch dir;
    std::string bowtie = "[[-79.0,-1.0],[-78.9,-0.9],[-78.9,-1.0],[-79.0,-0.9],[-79.0,-1.0]]";
    std::string path = dir.write("bowtie.geojson", feature_collection(polygon_feature(R"({"code":"170150"})", bowtie)));
    import_result r = read_units(options_for(path, level::parish));
    ASSERT_EQ(r.report.items.size(), 1u);
    EXPECT_EQ(r.report.items[0].rule, "geometry.repaired");
    EXPECT_EQ(r.report.items[0].code, "170150");
    EXPECT_NE(r.report.items[0].message.find("Self-intersection"), std::string::npos);
    ASSERT_TRUE(r.report.items[0].lon.has_value());
    EXPECT_NEAR(*r.report.items[0].lon, -78.95, 1e-6);
    EXPECT_TRUE(geos::is_valid(r.layer.units[0].geometry.get()));
    // Both triangles kept: half of the square.
    EXPECT_NEAR(r.layer.units[0].area_km2, 122.9 / 2, 1.0);
}

TEST(VectorImport, Latin1ShapefileAttributesAreRecoded) {
    scratch dir;
    // "CAÑAR" as ISO-8859-1 bytes, with the .cpg that says so.
    std::string path = write_shapefile(dir, "latin1", nullptr, "ENCODING=ISO-8859-1", "030150",
                                       "CA\xD1"
                                       "AR");
    import_options o = options_for(path, level::parish);
    o.source_crs = "EPSG:4326";
    import_result r = read_units(o);
    EXPECT_EQ(r.layer.units[0].name,
              "CA\xC3\x91"
              "AR");  // UTF-8
}

TEST(VectorImport, Latin1TextWithoutDeclaredEncodingIsRecodedWithAWarning) {
    scratch dir;
    std::string path = dir.write("latin1.csv",
                                 "code,name,WKT\n030150,CA\xD1"
                                 "AR,\"POLYGON((-79 -1,-78.9 -1,-78.9 -0.9,-79 -0.9,-79 -1))\"\n");
    import_options o = options_for(path, level::parish);
    o.source_crs = "EPSG:4326";
    import_result r = read_units(o);
    EXPECT_EQ(r.layer.units[0].name,
              "CA\xC3\x91"
              "AR");
    EXPECT_TRUE(has_rule(r.report, "text.recoded"));
}

TEST(VectorImport, ZAndMCoordinatesAreDroppedWithAWarning) {
    scratch dir;
    std::string ring = "[[-79.0,-1.0,2800],[-78.9,-1.0,2800],[-78.9,-0.9,2900],[-79.0,-0.9,2900],[-79.0,-1.0,2800]]";
    std::string path = dir.write("z.geojson", feature_collection(polygon_feature(R"({"code":"170150"})", ring)));
    import_result r = read_units(options_for(path, level::parish));
    EXPECT_TRUE(has_rule(r.report, "geometry.zm_dropped"));
    EXPECT_EQ(GEOSHasZ_r(geos::thread_context().handle(), r.layer.units[0].geometry.get()), 0);
}

TEST(VectorImport, GeometryCollectionKeepsItsPolygons) {
    scratch dir;
    std::string gc =
        R"({"type":"Feature","properties":{"code":"170150"},"geometry":{"type":"GeometryCollection","geometries":[
        {"type":"Polygon","coordinates":[)" +
        square_a + R"(]},{"type":"LineString","coordinates":[[-79,-1],[-78,-1]]}]}})";
    std::string path = dir.write("gc.geojson", feature_collection(gc));
    import_result r = read_units(options_for(path, level::parish));
    EXPECT_TRUE(has_rule(r.report, "geometry.collection"));
    EXPECT_NEAR(r.layer.units[0].area_km2, 122.9, 1.5);
}

TEST(VectorImport, NonPolygonFeatureIsAnError) {
    scratch dir;
    std::string line =
        R"({"type":"Feature","properties":{"code":"170150"},"geometry":{"type":"LineString","coordinates":[[-79,-1],[-78,-1]]}})";
    std::string path = dir.write("line.geojson", feature_collection(line));
    expect_error<geometry_error>(options_for(path, level::parish),
                                 {"line.geojson", "feature 0", "not a polygon", "Line String"});
}

TEST(VectorImport, GzipThroughVsigzip) {
    scratch dir;
    std::string path = dir.write("c.geojson", feature_collection(polygon_feature(R"({"code":"170150"})", square_a)));
    ASSERT_EQ(std::system(("gzip -f " + path).c_str()), 0);
    import_result r = read_units(options_for("/vsigzip/" + path + ".gz", level::parish));
    EXPECT_EQ(r.layer.units.size(), 1u);
}
