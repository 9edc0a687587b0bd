#include "microplan/geo/usecases/import.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/validate.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

namespace {

// Two circuits of district 17D06, side by side near Quito, as GeoJSON.
std::string two_circuits(const scratch& dir) {
    return dir.write(
        "circuits.geojson",
        feature_collection(polygon_feature(R"({"code":"17D06C01","name":"Uno"})",
                                           "[[-78.6,-0.3],[-78.5,-0.3],[-78.5,-0.2],[-78.6,-0.2],[-78.6,-0.3]]") +
                           "," +
                           polygon_feature(R"({"code":"17D06C02","name":"Dos"})",
                                           "[[-78.5,-0.3],[-78.4,-0.3],[-78.4,-0.2],[-78.5,-0.2],[-78.5,-0.3]]")));
}

geo::import_options circuits_from(const std::string& path) {
    geo::import_options o;
    o.path = path;
    o.lvl = geo::level::circuit;
    return o;
}

}  // namespace

TEST(UsecaseImport, ImportUnitsWritesTheLevelAndTellsItsProgress) {
    scratch dir;
    const std::string store = dir.path("s.sqlite");
    std::vector<std::string> lines;
    geo::import_result r = geo::usecases::import_units(store, circuits_from(two_circuits(dir)),
                                                       [&](const std::string& l) { lines.push_back(l); });
    EXPECT_EQ(r.layer.units.size(), 2u);
    EXPECT_EQ(r.used_fields.code, "code");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].rfind("reading ", 0), 0u);
    EXPECT_EQ(lines[1].rfind("read 2 circuits (", 0), 0u) << lines[1];
    auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
    EXPECT_EQ(db->analysis_crs(), "EPSG:32717");
    geo::unit_layer stored = db->read_level(geo::level::circuit);
    ASSERT_EQ(stored.units.size(), 2u);
    EXPECT_EQ(stored.units[1].code, "17D06C02");
    EXPECT_EQ(stored.units[1].name, "Dos");
}

TEST(UsecaseImport, BuildDissolvesStoredCircuitsIntoTheirDistrict) {
    scratch dir;
    const std::string store = dir.path("s.sqlite");
    geo::usecases::import_units(store, circuits_from(two_circuits(dir)));
    geo::built_levels built = geo::usecases::build_upper_levels({store, "circuits", "", 1});
    ASSERT_EQ(built.districts.units.size(), 1u);
    EXPECT_TRUE(built.zones.units.empty());  // zones need the codification table
    auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
    geo::unit_layer districts = db->read_level(geo::level::district, "EPSG:32717");
    ASSERT_EQ(districts.units.size(), 1u);
    EXPECT_EQ(districts.units[0].code, "17D06");
    double circuits_km2 = 0;
    for (const auto& u : db->read_level(geo::level::circuit, "EPSG:32717").units) circuits_km2 += u.area_km2;
    EXPECT_NEAR(districts.units[0].area_km2, circuits_km2, circuits_km2 * 1e-6);
    // The hierarchy now validates.
    geo::validation_report v = geo::usecases::validate_store(store, {});
    EXPECT_TRUE(v.ok()) << v.to_text();
}

TEST(UsecaseImport, BuildRefusesWithoutWhatItNeedsAndLeavesTheStore) {
    scratch dir;
    const std::string store = dir.path("s.sqlite");
    geo::usecases::import_units(store, circuits_from(two_circuits(dir)));
    const std::string before = read_bytes(store);
    EXPECT_THROW(geo::usecases::build_upper_levels({store, "cantons", "", 1}), geo::format_error);
    const std::string empty = dir.path("empty.sqlite");
    geo::store::update_atomically(empty, [](geo::store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    try {
        geo::usecases::build_upper_levels({empty, "circuits", "", 1});
        FAIL() << "no circuits to build from";
    } catch (const geo::store_error& e) {
        EXPECT_NE(std::string(e.what()).find("the store holds no circuits"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_bytes(store), before);
}

TEST(UsecaseValidate, ReportsStoredFindingsAndMissingParents) {
    scratch dir;
    const std::string store = dir.path("s.sqlite");
    std::string d = dir.write(
        "d.geojson", feature_collection(polygon_feature(
                         R"({"code":"17D05"})", "[[-78.6,-0.3],[-78.4,-0.3],[-78.4,-0.2],[-78.6,-0.2],[-78.6,-0.3]]")));
    geo::import_options o = circuits_from(d);
    o.lvl = geo::level::district;
    geo::usecases::import_units(store, o);
    geo::usecases::import_units(store, circuits_from(two_circuits(dir)));
    geo::validation_report v = geo::usecases::validate_store(store, {});
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.to_text().find("hierarchy.parent_missing"), std::string::npos) << v.to_text();
}

TEST(UsecaseValidate, AnEmptyStoreIsAStoreError) {
    scratch dir;
    const std::string store = dir.path("empty.sqlite");
    geo::store::update_atomically(store, [](geo::store::planning_store& db) { db.ensure_schema("EPSG:32717"); });
    EXPECT_THROW(geo::usecases::validate_store(store, {}), geo::store_error);
}
