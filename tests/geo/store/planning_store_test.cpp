#include "microplan/geo/store/planning_store.hpp"

#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>

#include "../../support.hpp"
#include "microplan/geo/demo/demo_country.hpp"
#include "microplan/geo/error.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {
void write_demo(const std::string& path, std::uint64_t seed = 2012) {
    demo::country_options o;
    o.seed = seed;
    demo::country c = demo::generate_country(o);
    store::update_atomically(path, [&](sqlite::connection& db) {
        store::ensure_schema(db, o.analysis_crs);
        for (const unit_layer* l : {&c.zones, &c.districts, &c.circuits}) store::write_level(db, *l, {l->lvl, "test"}, {});
    });
}
}  // namespace

TEST(PlanningStore, GdalSeesSpatiaLiteLayersInWgs84) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_TRUE(ds);
    EXPECT_STREQ(ds->GetDriver()->GetDescription(), "SQLite");
    for (auto [table, count] : {std::pair{"zones", 9}, {"districts", 140}, {"circuits", 1134}}) {
        OGRLayer* layer = ds->GetLayerByName(table);
        ASSERT_NE(layer, nullptr) << table;
        EXPECT_EQ(layer->GetFeatureCount(), count);
        EXPECT_EQ(wkbFlatten(layer->GetGeomType()), wkbMultiPolygon) << table;
        ASSERT_NE(layer->GetSpatialRef(), nullptr);
        EXPECT_STREQ(layer->GetSpatialRef()->GetAuthorityCode(nullptr), "4326");
        for (const char* field : {"code", "name", "parent_code", "area_km2"})
            EXPECT_GE(layer->GetLayerDefn()->GetFieldIndex(field), 0) << table << "." << field;
    }
}

TEST(PlanningStore, OgrinfoReadsTheStore) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    auto r = run("ogrinfo -ro -so " + path + " circuits");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Geometry: Multi Polygon"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Feature Count: 1134"), std::string::npos);
    EXPECT_NE(r.output.find("ID[\"EPSG\",4326]"), std::string::npos);
    auto idx = run("ogrinfo -ro " + path + " -sql \"SELECT CheckSpatialIndex('circuits','geom')\" -q");
    EXPECT_NE(idx.output.find("= 1"), std::string::npos) << idx.output;
}

TEST(PlanningStore, ReadBackEqualsWhatWasWritten) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    sqlite::connection db(path, sqlite::connection::mode::read_only);
    EXPECT_EQ(store::levels_present(db).size(), 3u);
    EXPECT_EQ(store::analysis_crs(db), "EPSG:32717");
    unit_layer circuits = store::read_level(db, level::circuit, "EPSG:32717");
    ASSERT_EQ(circuits.units.size(), 1134u);
    EXPECT_EQ(circuits.units[0].code.substr(0, 5), circuits.units[0].parent_code);
    // Fids follow code order.
    EXPECT_EQ(*circuits.units[0].source_fid, 1);
    EXPECT_NEAR(geos::area(circuits.units[0].projected.get()) / 1e6, circuits.units[0].area_km2,
                circuits.units[0].area_km2 * 1e-6);
}

TEST(PlanningStore, AFailingChangeLeavesTheStoreByteForByteIntact) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    std::string before = read_bytes(path);
    EXPECT_THROW(store::update_atomically(path,
                                          [](sqlite::connection& db) {
                                              db.exec("DELETE FROM circuits");
                                              throw format_error({}, "half way", "the source broke");
                                          }),
                 format_error);
    EXPECT_EQ(read_bytes(path), before);
    int leftovers = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path("")))
        leftovers += e.path().filename().string() != "demo.sqlite";
    EXPECT_EQ(leftovers, 0);
}

TEST(PlanningStore, AKilledImportLeavesTheStoreByteForByteIntact) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    std::string before = read_bytes(path);
    std::string src = dir.write("c.geojson", feature_collection(polygon_feature(
                                                 R"({"code":"17D06C03"})",
                                                 "[[-79.0,-1.0],[-78.9,-1.0],[-78.9,-0.9],[-79.0,-0.9],[-79.0,-1.0]]")));
    for (const char* point : {"before-commit", "before-rename"}) {
        auto r = run(std::string("MICROPLAN_FAULT=") + point + " " +
                     microplan_cmd("import " + src + " --store " + path + " --level circuit"));
        EXPECT_EQ(r.exit_code, 128 + SIGKILL) << point << ": " << r.output;
        EXPECT_EQ(read_bytes(path), before) << point;
    }
    // The next writer clears the dead copies and succeeds.
    auto ok = run(microplan_cmd("import " + src + " --store " + path + " --level circuit"));
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    int leftovers = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path("")))
        leftovers += e.path().filename().string().find(".tmp-") != std::string::npos;
    EXPECT_EQ(leftovers, 0);
}

TEST(PlanningStore, AMissingFolderIsAClearError) {
    try {
        store::update_atomically("/nonexistent/dir/store.sqlite", [](sqlite::connection&) {});
        FAIL();
    } catch (const store_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir"), std::string::npos) << e.what();
    }
}
