// Choosing the layer of a multi-layer source (GeoPackage, zip of shapefiles): never the first
// one without a word (issue 17, "should fix": multi-layer sources).
#include <cpl_conv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <utility>
#include <vector>

#include "../../support.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/vector_import.hpp"

using namespace microplan::geo;
using microplan::test::microplan_cmd;
using microplan::test::read_bytes;
using microplan::test::run;
using microplan::test::scratch;

namespace {

// One layer to write: its name, geometry type and features (code, WKT; WKT "" for a table row).
struct layer_spec {
    std::string name;
    OGRwkbGeometryType type;
    std::vector<std::pair<std::string, std::string>> features;
};

const std::string square_a = "POLYGON((-79 -1,-78.9 -1,-78.9 -0.9,-79 -0.9,-79 -1))";
const std::string square_b = "POLYGON((-78.9 -1,-78.8 -1,-78.8 -0.9,-78.9 -0.9,-78.9 -1))";

// Writes `layers` into a new dataset of `driver` at `path`, in WGS 84, with a text field "code".
void write_layers(const std::string& driver, const std::string& path, const std::vector<layer_spec>& layers) {
    gdal::ensure_registered();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver.c_str());
    ASSERT_NE(drv, nullptr) << driver;
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_NE(ds, nullptr) << path;
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    for (const auto& spec : layers) {
        OGRLayer* layer =
            ds->CreateLayer(spec.name.c_str(), spec.type == wkbNone ? nullptr : &wgs84, spec.type, nullptr);
        ASSERT_NE(layer, nullptr) << spec.name;
        OGRFieldDefn code("code", OFTString);
        layer->CreateField(&code);
        for (const auto& [value, wkt] : spec.features) {
            OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
            f->SetField("code", value.c_str());
            if (!wkt.empty()) {
                OGRGeometry* g = nullptr;
                ASSERT_EQ(OGRGeometryFactory::createFromWkt(wkt.c_str(), &wgs84, &g), OGRERR_NONE) << wkt;
                f->SetGeometryDirectly(g);
            }
            ASSERT_EQ(layer->CreateFeature(f.get()), OGRERR_NONE);
        }
    }
}

// A zip holding every file of `dir` (shapefiles and their sidecars), through GDAL's own zip writer.
void zip_folder(const std::string& dir, const std::string& zip) {
    void* h = CPLCreateZip(zip.c_str(), nullptr);
    ASSERT_NE(h, nullptr);
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string bytes = read_bytes(entry.path().string());
        ASSERT_EQ(CPLCreateFileInZip(h, entry.path().filename().c_str(), nullptr), CE_None);
        ASSERT_EQ(CPLWriteFileInZip(h, bytes.data(), static_cast<int>(bytes.size())), CE_None);
        ASSERT_EQ(CPLCloseFileInZip(h), CE_None);
    }
    ASSERT_EQ(CPLCloseZip(h), CE_None);
}

import_options circuits_from(const std::string& path, const std::string& layer = {}) {
    import_options o;
    o.path = path;
    o.lvl = level::parish;
    o.layer = layer;
    o.threads = 1;
    return o;
}

// The message of the format_error `fn` throws ("" when it throws none).
template <typename Fn>
std::string format_error_of(Fn&& fn) {
    try {
        fn();
    } catch (const format_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST(LayerChoice, TwoPolygonLayersNeedTheLayerNamed) {
    scratch dir;
    const std::string gpkg = dir.path("two.gpkg");
    write_layers("GPKG", gpkg,
                 {{"parishes_2012", wkbPolygon, {{"170150", square_a}}},
                  {"parishes_2022", wkbMultiPolygon, {{"170150", square_a}, {"170151", square_b}}}});
    const std::string msg = format_error_of([&] { (void)read_units(circuits_from(gpkg)); });
    ASSERT_FALSE(msg.empty()) << "the first layer was read without a word";
    for (const char* part :
         {"two.gpkg", "several layers", "2 layers hold polygons", "'parishes_2012' (Polygon, 1 feature)",
          "'parishes_2022' (Multi Polygon, 2 features)", "--layer"})
        EXPECT_NE(msg.find(part), std::string::npos) << part << " missing in: " << msg;
    import_result r = read_units(circuits_from(gpkg, "parishes_2022"));
    EXPECT_EQ(r.layer_name, "parishes_2022");
    EXPECT_EQ(r.layer.units.size(), 2u);
    // A misspelt layer lists what is there.
    const std::string absent = format_error_of([&] { (void)read_units(circuits_from(gpkg, "parishes")); });
    EXPECT_NE(absent.find("layer not found: layers present: 'parishes_2012' (Polygon, 1 feature)"), std::string::npos)
        << absent;
}

TEST(LayerChoice, OnePolygonLayerBesideAStylesTableNeedsNoLayer) {
    scratch dir;
    const std::string gpkg = dir.path("styled.gpkg");
    write_layers("GPKG", gpkg,
                 {{"layer_styles", wkbNone, {{"style", ""}}}, {"parishes", wkbPolygon, {{"170150", square_a}}}});
    import_result r = read_units(circuits_from(gpkg));
    EXPECT_EQ(r.layer_name, "parishes");
    EXPECT_EQ(r.layer.units.size(), 1u);
    // A tables' reader skips the styles table too; other tables are candidates.
    GDALDatasetUniquePtr ds = gdal::open_vector(gpkg);
    EXPECT_STREQ(gdal::pick_layer(*ds, gpkg, "").GetName(), "parishes");
}

TEST(LayerChoice, NoPolygonLayerAmongSeveralIsNamed) {
    scratch dir;
    const std::string gpkg = dir.path("points.gpkg");
    write_layers("GPKG", gpkg,
                 {{"schools", wkbPoint, {{"1", "POINT(-78.5 -0.2)"}}}, {"notes", wkbNone, {{"x", ""}, {"y", ""}}}});
    const std::string msg = format_error_of([&] { (void)read_units(circuits_from(gpkg)); });
    for (const char* part : {"points.gpkg", "no suitable layer", "holds polygons", "'schools' (Point, 1 feature)",
                             "'notes' (no geometry, 2 rows)", "--layer"})
        EXPECT_NE(msg.find(part), std::string::npos) << part << " missing in: " << msg;
}

TEST(LayerChoice, AZipOfTwoShapefilesNeedsTheLayerNamed) {
    scratch dir;
    const std::string shapes = dir.path("shapes");
    std::filesystem::create_directories(shapes);
    write_layers("ESRI Shapefile", shapes + "/cantons.shp", {{"cantons", wkbPolygon, {{"1701", square_a}}}});
    write_layers("ESRI Shapefile", shapes + "/provinces.shp", {{"provinces", wkbPolygon, {{"17", square_b}}}});
    const std::string zip = dir.path("both.zip");
    zip_folder(shapes, zip);
    const std::string source = "/vsizip/" + zip;
    import_options o = circuits_from(source);
    o.lvl = level::canton;
    const std::string msg = format_error_of([&] { (void)read_units(o); });
    for (const char* part : {"both.zip", "several layers", "'cantons' (Polygon, 1 feature)", "'provinces'", "--layer"})
        EXPECT_NE(msg.find(part), std::string::npos) << part << " missing in: " << msg;
    o.layer = "cantons";
    import_result r = read_units(o);
    ASSERT_EQ(r.layer.units.size(), 1u);
    EXPECT_EQ(r.layer.units[0].code, "1701");
}

TEST(LayerChoice, EstablishmentsTakeThePointLayerOrAskWhichOne) {
    scratch dir;
    const std::string one = dir.path("one_point_layer.gpkg");
    write_layers("GPKG", one,
                 {{"parishes", wkbPolygon, {{"170150", square_a}}},
                  {"schools", wkbPoint, {{"1", "POINT(-78.95 -0.95)"}}},
                  {"layer_styles", wkbNone, {{"s", ""}}}});
    establishment_import_options o;
    o.path = one;
    o.sector = "education";
    establishment_import_result r = read_establishments(o);
    EXPECT_EQ(r.layer_name, "schools");
    EXPECT_EQ(r.rows.size(), 1u);
    const std::string two = dir.path("two_point_layers.gpkg");
    write_layers(
        "GPKG", two,
        {{"schools", wkbPoint, {{"1", "POINT(-78.95 -0.95)"}}}, {"clinics", wkbPoint, {{"2", "POINT(-78.85 -0.95)"}}}});
    o.path = two;
    const std::string msg = format_error_of([&] { (void)read_establishments(o); });
    for (const char* part : {"two_point_layers.gpkg", "2 layers hold points", "'schools' (Point, 1 feature)",
                             "'clinics' (Point, 1 feature)", "--layer"})
        EXPECT_NE(msg.find(part), std::string::npos) << part << " missing in: " << msg;
}

TEST(LayerChoice, TheCommandLineRefusesAndThenReadsTheNamedLayer) {
    scratch dir;
    const std::string gpkg = dir.path("two.gpkg");
    write_layers("GPKG", gpkg,
                 {{"old", wkbPolygon, {{"170150", square_a}}}, {"new", wkbPolygon, {{"170150", square_b}}}});
    const std::string store = dir.path("s.sqlite");
    auto refused = run(microplan_cmd("import " + gpkg + " -s " + store + " -l parish"));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("2 layers hold polygons: 'old' (Polygon, 1 feature), 'new' (Polygon, 1 feature); "
                                  "choose the one to read with --layer NAME"),
              std::string::npos)
        << refused.output;
    EXPECT_FALSE(std::filesystem::exists(store));
    auto ok = run(microplan_cmd("import " + gpkg + " -s " + store + " -l parish --layer new"));
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    EXPECT_NE(ok.output.find("layer 'new'"), std::string::npos) << ok.output;
}
