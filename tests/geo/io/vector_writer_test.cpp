#include "microplan/geo/io/vector_writer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

using test::scratch;

std::vector<std::string> files_in(const scratch& s) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(s.path("")).parent_path()))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::unique_ptr<OGRGeometry> from_wkt(const char* wkt) {
    OGRGeometry* g = nullptr;
    OGRGeometryFactory::createFromWkt(wkt, nullptr, &g);
    return std::unique_ptr<OGRGeometry>(g);
}

TEST(VectorWriter, GeoPackageWithTwoLayersTypedFieldsAndACrs) {
    scratch s;
    const std::string path = s.path("out.gpkg");
    {
        vector_writer w(path);
        EXPECT_EQ(w.driver(), "GPKG");
        auto units = w.add_layer("units", wkbMultiPolygon, "EPSG:32717",
                                 {{"code", field_type::text},
                                  {"people", field_type::real},
                                  {"parts", field_type::integer},
                                  {"fid_source", field_type::integer64}});
        w.write(units, from_wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)))"),
                {std::string("17D01"), 1234.5, std::int64_t{2}, std::int64_t{1} << 40});
        w.write(units, static_cast<const OGRGeometry*>(nullptr),
                {std::string("17D02"), std::monostate{}, std::int64_t{0}, std::int64_t{7}});
        auto points = w.add_layer("points", wkbPoint, "EPSG:4326", {{"name", field_type::text}});
        OGRPoint quito(-78.5125, -0.2201);
        w.write(points, &quito, {std::string("Quito")}, 42);
        EXPECT_FALSE(std::filesystem::exists(path)) << "nothing at the path before commit";
        w.commit();
    }
    EXPECT_EQ(files_in(s), std::vector<std::string>{"out.gpkg"}) << "no temporary left";
    GDALDatasetUniquePtr ds = gdal::open_vector(path);
    OGRLayer* units = ds->GetLayerByName("units");
    ASSERT_TRUE(units);
    EXPECT_EQ(units->GetFeatureCount(), 2);
    EXPECT_EQ(units->GetLayerDefn()->GetFieldDefn(1)->GetType(), OFTReal);
    EXPECT_EQ(units->GetLayerDefn()->GetFieldDefn(3)->GetType(), OFTInteger64);
    EXPECT_STREQ(units->GetSpatialRef()->GetAuthorityCode(nullptr), "32717");
    OGRFeatureUniquePtr first(units->GetNextFeature());
    EXPECT_STREQ(first->GetFieldAsString("code"), "17D01");
    EXPECT_DOUBLE_EQ(first->GetFieldAsDouble("people"), 1234.5);
    EXPECT_EQ(first->GetFieldAsInteger64("fid_source"), std::int64_t{1} << 40);
    OGRFeatureUniquePtr second(units->GetNextFeature());
    EXPECT_TRUE(second->IsFieldNull(1));
    EXPECT_EQ(second->GetGeometryRef(), nullptr);
    OGRLayer* points = ds->GetLayerByName("points");
    OGRFeatureUniquePtr p(points->GetNextFeature());
    EXPECT_EQ(p->GetFID(), 42);
    EXPECT_DOUBLE_EQ(p->GetGeometryRef()->toPoint()->getX(), -78.5125);  // lon first
}

TEST(VectorWriter, ShapefileFilesAllGetTheirFinalName) {
    scratch s;
    vector_writer w(s.path("roads.shp"));
    auto roads = w.add_layer("roads", wkbLineString, "EPSG:32717", {{"highway", field_type::text}});
    w.write(roads, from_wkt("LINESTRING(0 0,1 1)"), {std::string("primary")});
    w.commit();
    auto files = files_in(s);
    for (const char* f : {"roads.shp", "roads.shx", "roads.dbf", "roads.prj"})
        EXPECT_NE(std::find(files.begin(), files.end(), f), files.end()) << f;
    for (const auto& f : files) EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
    EXPECT_EQ(gdal::open_vector(s.path("roads.shp"))->GetLayer(0)->GetFeatureCount(), 1);
}

TEST(VectorWriter, WithoutCommitTheEarlierFileStaysAndNoTemporaryIsLeft) {
    scratch s;
    const std::string path = s.write("zones.geojson", "earlier");
    {
        vector_writer w(path);
        auto l = w.add_layer("zones", wkbPolygon, "EPSG:4326", {{"code", field_type::text}});
        w.write(l, from_wkt("POLYGON((0 0,1 0,1 1,0 0))"), {std::string("Z1")});
        // an exception here would leave the writer uncommitted
    }
    EXPECT_EQ(test::read_bytes(path), "earlier");
    EXPECT_EQ(files_in(s), std::vector<std::string>{"zones.geojson"});
    // Committed, it replaces the file.
    vector_writer w(path);
    auto l = w.add_layer("zones", wkbPolygon, "EPSG:4326", {{"code", field_type::text}});
    w.write(l, from_wkt("POLYGON((0 0,1 0,1 1,0 0))"), {std::string("Z1")});
    w.commit();
    EXPECT_EQ(gdal::open_vector(path)->GetLayer(0)->GetFeatureCount(), 1);
    EXPECT_EQ(files_in(s), std::vector<std::string>{"zones.geojson"});
}

TEST(VectorWriter, ErrorsNameTheFileAndLayer) {
    scratch s;
    try {
        vector_writer w(s.path("out.xyz"));
        FAIL() << "an unknown extension must be an error";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("out.xyz"), std::string::npos) << e.what();
        EXPECT_EQ(e.rule(), "unsupported output format");
    }
    EXPECT_THROW(vector_writer(s.path("no/such/folder/out.gpkg")), format_error);
    vector_writer w(s.path("out.gpkg"));
    EXPECT_THROW(w.add_layer("x", wkbPoint, "EPSG:999999", {}), crs_error);
    auto l = w.add_layer("x", wkbPoint, "", {{"v", field_type::real}});
    try {
        w.write_wkb(l, std::vector<unsigned char>{1, 2, 3}, {1.0});
        FAIL() << "unreadable WKB must be an error";
    } catch (const format_error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("out.gpkg"), std::string::npos) << m;
        EXPECT_NE(m.find("layer 'x'"), std::string::npos) << m;
    }
}

TEST(VectorWriter, WorksInMemoryForDownloads) {
    const std::string path = "/vsimem/vector_writer_test.gpkg";
    vector_writer w(path);
    auto l = w.add_layer("p", wkbPoint, "EPSG:4326", {{"n", field_type::integer}});
    OGRPoint p(1, 2);
    w.write(l, &p, {std::int64_t{5}});
    w.commit();
    vsi_l_offset size = 0;
    GByte* bytes = VSIGetMemFileBuffer(path.c_str(), &size, TRUE);
    ASSERT_TRUE(bytes);
    EXPECT_GT(size, 0u);
    CPLFree(bytes);
}

}  // namespace
}  // namespace microplan::geo

// write_units: a unit layer in one call, in every format the extension names.
namespace microplan::geo::units_case {

using test::scratch;

unit_layer two_units() {
    unit_layer l;
    l.lvl = level::circuit;
    for (int i = 0; i < 2; ++i) {
        unit u;
        u.code = "17D01C0" + std::to_string(i + 1);
        const double x = -78.6 + 0.1 * i;
        char wkt[200];
        std::snprintf(wkt, sizeof wkt, "MULTIPOLYGON(((%f -0.3,%f -0.3,%f -0.2,%f -0.2,%f -0.3)))", x, x + 0.1, x + 0.1,
                      x, x);
        u.geometry = geos::from_wkt(wkt);
        l.units.push_back(std::move(u));
    }
    return l;
}

const std::vector<field_spec> unit_fields{
    {"code", field_type::text}, {"population", field_type::real}, {"polygons", field_type::integer}};

}  // namespace microplan::geo::units_case

namespace microplan::geo::units_case {

TEST(WriteUnits, WritesFieldsAndGeometryInEveryFormat) {
    scratch dir;
    unit_layer l = two_units();
    std::vector<std::vector<field_value>> values{{std::string("17D01C01"), 1234.5, std::int64_t{1}},
                                                 {std::string("17D01C02"), 10.0, std::int64_t{2}}};
    for (const char* name : {"units.gpkg", "units.geojson", "units.fgb"}) {
        const std::string path = dir.path(name);
        write_units(path, "circuits", l, unit_fields, values);
        GDALDatasetUniquePtr ds = gdal::open_vector(path);
        OGRLayer* layer = ds->GetLayer(0);
        ASSERT_NE(layer, nullptr) << name;
        EXPECT_EQ(layer->GetFeatureCount(), 2) << name;
        std::set<std::string> codes;
        for (auto& g : *layer) codes.insert(g->GetFieldAsString("code"));
        EXPECT_EQ(codes, (std::set<std::string>{"17D01C01", "17D01C02"})) << name;
        // FlatGeobuf orders features by its spatial index: find the first unit by its code.
        layer->SetAttributeFilter("code = '17D01C01'");
        layer->ResetReading();
        OGRFeatureUniquePtr f(layer->GetNextFeature());
        ASSERT_TRUE(f) << name;
        EXPECT_STREQ(f->GetFieldAsString("code"), "17D01C01") << name;
        EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("population"), 1234.5) << name;
        EXPECT_EQ(f->GetFieldAsInteger("polygons"), 1) << name;
        ASSERT_NE(f->GetGeometryRef(), nullptr) << name;
        OGREnvelope e;
        f->GetGeometryRef()->getEnvelope(&e);
        EXPECT_NEAR(e.MinX, -78.6, 1e-9) << name;  // lon/lat order
        EXPECT_NEAR(e.MaxY, -0.2, 1e-9) << name;
    }
}

TEST(WriteUnits, ErrorsNameTheFile) {
    scratch dir;
    unit_layer l = two_units();
    std::vector<std::vector<field_value>> values{{std::string("a"), 1.0, std::int64_t{1}},
                                                 {std::string("b"), 2.0, std::int64_t{1}}};
    try {
        write_units(dir.path("units.xyz"), "circuits", l, unit_fields, values);
        FAIL() << "an unknown extension was accepted";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("units.xyz"), std::string::npos) << e.what();
    }
    try {
        write_units(dir.path("no/such/folder/units.gpkg"), "circuits", l, unit_fields, values);
        FAIL() << "a missing folder was accepted";
    } catch (const format_error& e) {
        EXPECT_NE(std::string(e.what()).find("units.gpkg"), std::string::npos) << e.what();
    }
    values.pop_back();
    EXPECT_THROW(write_units(dir.path("short.gpkg"), "circuits", l, unit_fields, values), format_error);
}

}  // namespace microplan::geo::units_case
