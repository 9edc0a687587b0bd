#include "microplan/geo/store/planning_store.hpp"

#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>

#include "../../support.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/demo/demo_country.hpp"
#include "microplan/geo/error.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {
void write_demo(const std::string& path, std::uint64_t seed = 2012) {
    demo::country_options o;
    o.seed = seed;
    demo::country c = demo::generate_country(o);
    store::update_atomically(path, [&](store::planning_store& db) {
        db.ensure_schema(o.analysis_crs);
        for (const unit_layer* l : {&c.zones, &c.districts, &c.circuits})
            db.write_level(*l, {.lvl = l->lvl, .source = "test"}, {});
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
    auto db_store = store::open_store(path, store::open_mode::read_only);
    store::planning_store& db = *db_store;
    EXPECT_EQ(db.levels_present().size(), 3u);
    EXPECT_EQ(db.analysis_crs(), "EPSG:32717");
    unit_layer circuits = db.read_level(level::circuit, "EPSG:32717");
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
                                          [](store::planning_store& db) {
                                              db.write_level(unit_layer{level::circuit, {}}, {}, {});
                                              throw format_error({}, "half way", "the source broke");
                                          }),
                 format_error);
    EXPECT_EQ(read_bytes(path), before);
    int leftovers = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path("")))
        leftovers += e.path().filename().string() != "demo.sqlite" &&
                     e.path().filename().string() != "demo.sqlite.lock";  // the writers' lock stays
    EXPECT_EQ(leftovers, 0);
}

TEST(PlanningStore, AKilledImportLeavesTheStoreByteForByteIntact) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    std::string before = read_bytes(path);
    std::string src =
        dir.write("c.geojson",
                  feature_collection(polygon_feature(
                      R"({"code":"17D06C03"})", "[[-79.0,-1.0],[-78.9,-1.0],[-78.9,-0.9],[-79.0,-0.9],[-79.0,-1.0]]")));
    for (const char* point : {"before-commit", "before-rename"}) {
        auto r = run(std::string("MICROPLAN_FAULT=") + point + " " +
                     microplan_cmd("import " + src + " --store " + path + " --level circuit --replace"));
        EXPECT_EQ(r.exit_code, 128 + SIGKILL) << point << ": " << r.output;
        EXPECT_EQ(read_bytes(path), before) << point;
    }
    // The next writer clears the dead copies and succeeds.
    auto ok = run(microplan_cmd("import " + src + " --store " + path + " --level circuit --replace"));
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    int leftovers = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path("")))
        leftovers += e.path().filename().string().find(".tmp-") != std::string::npos;
    EXPECT_EQ(leftovers, 0);
}

TEST(PlanningStore, AMissingFolderIsAClearError) {
    try {
        store::update_atomically("/nonexistent/dir/store.sqlite", [](store::planning_store&) {});
        FAIL();
    } catch (const store_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir"), std::string::npos) << e.what();
    }
}

// Scenario persistence through the store interface: each edit is logged and undone in
// reverse order, restoring the exact rows (a deleted proposal comes back with its id).
TEST(PlanningStore, ScenarioEditsAreLoggedAndUndoneInReverseOrder) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    auto db = store::open_store(path, store::open_mode::read_write);
    EXPECT_TRUE(db->read_scenarios().empty());
    EXPECT_FALSE(db->undo_last_edit(1));
    store::scenario_record s = db->create_scenario("taller");
    EXPECT_EQ(db->read_scenarios().size(), 1u);
    store::proposal_record a = db->add_proposal({0, s.id, "health", "Centro de Salud Tipo A", "uno", -78.5, -0.2, "X"});
    store::proposal_record b = db->add_proposal({0, s.id, "health", "Puesto de Salud", "dos", -79.0, -1.0, "Y"});
    EXPECT_NE(a.id, b.id);
    store::proposal_record moved = a;
    moved.lon = -78.6, moved.circuit_code = "Z";
    db->move_proposal(a, moved);
    db->delete_proposal(b);
    ASSERT_EQ(db->read_proposals().size(), 1u);
    EXPECT_DOUBLE_EQ(db->read_proposals()[0].lon, -78.6);

    auto undone = db->undo_last_edit(s.id);  // the delete: b is back with its id
    ASSERT_TRUE(undone);
    EXPECT_EQ(undone->action, store::edit_action::remove);
    ASSERT_EQ(db->read_proposals().size(), 2u);
    EXPECT_EQ(db->read_proposals()[1].id, b.id);
    EXPECT_EQ(db->read_proposals()[1].name, "dos");
    undone = db->undo_last_edit(s.id);  // the move: a back where it was
    ASSERT_TRUE(undone);
    EXPECT_EQ(undone->action, store::edit_action::move);
    EXPECT_DOUBLE_EQ(db->read_proposals()[0].lon, -78.5);
    EXPECT_EQ(db->read_proposals()[0].circuit_code, "X");
    EXPECT_EQ(db->undo_last_edit(s.id)->action, store::edit_action::add);  // b's add
    EXPECT_EQ(db->undo_last_edit(s.id)->action, store::edit_action::add);  // a's add
    EXPECT_TRUE(db->read_proposals().empty());
    EXPECT_FALSE(db->undo_last_edit(s.id));
    db->delete_scenario(s.id);
    EXPECT_TRUE(db->read_scenarios().empty());
}

// Closures of stored establishments: logged and undone like proposals (an undone reopening brings
// the whole record back); a store whose scenario tables predate closures gains them on its
// first closure, its proposals and log intact; deleting the scenario deletes its closures.
TEST(PlanningStore, ClosuresAreLoggedUndoneAndAddedToOlderStores) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    auto db = store::open_store(path, store::open_mode::read_write);
    store::scenario_record s = db->create_scenario("cierres");
    store::proposal_record a = db->add_proposal({0, s.id, "health", "Centro de Salud Tipo A", "uno", -78.5, -0.2, "X"});
    db.reset();
    {  // as a store written before closures: no table, no code column in the log
        sqlite::connection raw(path, sqlite::connection::mode::read_write);
        raw.exec("DROP TABLE scenario_closures; ALTER TABLE scenario_edits DROP COLUMN establishment_code");
        ASSERT_FALSE(raw.has_table("scenario_closures"));
    }
    db = store::open_store(path, store::open_mode::read_write);
    EXPECT_TRUE(db->read_closures().empty());
    EXPECT_FALSE(db->reopen_establishment(s.id, 7));
    store::closure_record c{s.id, 7, "17H01-001", "health", "Puesto de Salud", "Puesto Ñuñoa"};
    EXPECT_TRUE(db->close_establishment(c));
    EXPECT_FALSE(db->close_establishment(c));  // closed already: nothing logged
    ASSERT_EQ(db->read_closures().size(), 1u);
    EXPECT_EQ(db->read_closures()[0].name, "Puesto Ñuñoa");
    EXPECT_TRUE(db->reopen_establishment(s.id, 7));
    EXPECT_TRUE(db->read_closures().empty());

    auto undone = db->undo_last_edit(s.id);  // the reopening: closed again, the record whole
    ASSERT_TRUE(undone);
    EXPECT_EQ(undone->action, store::edit_action::reopen);
    ASSERT_EQ(db->read_closures().size(), 1u);
    EXPECT_EQ(db->read_closures()[0].code, "17H01-001");
    EXPECT_EQ(db->read_closures()[0].typology, "Puesto de Salud");
    undone = db->undo_last_edit(s.id);  // the closure
    ASSERT_TRUE(undone);
    EXPECT_EQ(undone->action, store::edit_action::close);
    EXPECT_EQ(undone->closure.fid, 7);
    EXPECT_TRUE(db->read_closures().empty());
    undone = db->undo_last_edit(s.id);  // the proposal's add, logged before the tables grew
    ASSERT_TRUE(undone);
    EXPECT_EQ(undone->action, store::edit_action::add);
    EXPECT_EQ(undone->proposal.id, a.id);
    // A proposal's id never comes from a closure's fid.
    EXPECT_TRUE(db->close_establishment({s.id, 5000, "X", "health", "", ""}));
    EXPECT_LT(db->add_proposal({0, s.id, "health", "Puesto de Salud", "", -78.5, -0.2, "X"}).id, 5000);
    db->delete_scenario(s.id);
    EXPECT_TRUE(db->read_closures().empty());
}

// A store opened read-only refuses writes instead of changing the file.
TEST(PlanningStore, ReadOnlyStoresRefuseEdits) {
    scratch dir;
    std::string path = dir.path("demo.sqlite");
    write_demo(path);
    auto db = store::open_store(path, store::open_mode::read_only);
    EXPECT_TRUE(db->is_planning_store());
    EXPECT_FALSE(db->has_establishment_layer());
    EXPECT_EQ(db->read_unit_records(level::zone).size(), 9u);
    EXPECT_THROW(db->create_scenario("no"), store_error);
}
