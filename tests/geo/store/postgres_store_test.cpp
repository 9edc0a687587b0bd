// The planning store in PostgreSQL/PostGIS (issue 22): the demo copied from its SpatiaLite file
// plans as the file does; imports are one transaction; writers exclude each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <thread>

#include "geo/usecases/demo_store.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/postgres.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/store/store_copy.hpp"
#include "microplan/geo/usecases/planning.hpp"
#include "microplan/geo/usecases/projects.hpp"
#include "microplan/geo/usecases/standards.hpp"
#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

namespace {

// A new empty database `name` in the test cluster (tests/support/postgres_cluster.sh), or "" with
// the reason the test skips.
std::string fresh_database(const std::string& name, std::string& why) {
    std::ifstream in(std::string(MICROPLAN_TEST_POSTGRES) + "/uri");
    std::string uri;
    std::getline(in, uri);
    if (uri.empty()) {
        std::ifstream reason(std::string(MICROPLAN_TEST_POSTGRES) + "/unavailable");
        std::getline(reason, why);
        why = "no test cluster: " + (why.empty() ? "run the tests through ctest (fixture.postgres_start)" : why);
        return {};
    }
    geo::postgres::connection admin(uri);
    admin.exec("DROP DATABASE IF EXISTS " + name);
    admin.exec("CREATE DATABASE " + name);
    try {
        geo::postgres::connection db(uri.substr(0, uri.rfind('/') + 1) + name);
        db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
    } catch (const geo::store_error& e) {
        why = std::string("PostGIS is not installed (Debian's postgresql-15-postgis-3): ") + e.what();
        return {};
    }
    return uri.substr(0, uri.rfind('/') + 1) + name;
}

#define DATABASE_OR_SKIP(uri, name)                     \
    std::string why_;                                   \
    const std::string uri = fresh_database(name, why_); \
    if (uri.empty()) GTEST_SKIP() << why_;

std::string coverage_of(const std::string& store, geo::level lvl, const std::string& as_of = "") {
    geo::usecases::coverage_request r;
    r.base.store = store;
    r.base.as_of = as_of;
    r.query.lvl = lvl;
    return geo::coverage_csv(geo::usecases::compute_coverage(r).rows);
}

TEST(PostgresStore, TheDemoCopiedIntoPostgisPlansAsTheFileDoes) {
    DATABASE_OR_SKIP(uri, "copy_demo");
    const std::string& demo = demo_store::get().store();
    const geo::store::copy_summary copied = geo::store::copy_store(demo, uri);
    EXPECT_GE(copied.tables, 15u);
    EXPECT_GE(copied.rows, 20000u);
    auto lite = geo::store::open_store(demo, geo::store::open_mode::read_only);
    auto pg = geo::store::open_store(uri, geo::store::open_mode::read_only);
    EXPECT_EQ(pg->location(), uri);
    // Units: the same codes, areas and shapes.
    for (geo::level lvl : {geo::level::zone, geo::level::district, geo::level::circuit}) {
        const auto a = lite->read_level(lvl), b = pg->read_level(lvl);
        ASSERT_EQ(a.units.size(), b.units.size());
        for (std::size_t i = 0; i < a.units.size(); ++i) {
            EXPECT_EQ(a.units[i].code, b.units[i].code);
            EXPECT_EQ(a.units[i].area_km2, b.units[i].area_km2);
            EXPECT_EQ(geo::geos::to_wkb(a.units[i].geometry.get()), geo::geos::to_wkb(b.units[i].geometry.get()))
                << a.units[i].code;
        }
    }
    // Establishments, portfolio, execution, observations with their revisions, scorecards.
    const auto ea = lite->read_establishments(), eb = pg->read_establishments();
    ASSERT_EQ(ea.size(), eb.size());
    EXPECT_GT(eb.size(), 7000u);
    for (std::size_t i = 0; i < ea.size(); i += 97) {
        EXPECT_EQ(ea[i].attributes.id, eb[i].attributes.id);
        EXPECT_EQ(ea[i].attributes.lon, eb[i].attributes.lon);
        EXPECT_EQ(ea[i].codes, eb[i].codes);
    }
    EXPECT_EQ(lite->read_projects().size(), pg->read_projects().size());
    EXPECT_EQ(lite->read_execution().size(), pg->read_execution().size());
    EXPECT_EQ(lite->read_observations(true).size(), pg->read_observations(true).size());
    EXPECT_EQ(lite->read_observations().size(), pg->read_observations().size());
    EXPECT_EQ(lite->read_scorecards()->rows.size(), pg->read_scorecards()->rows.size());
    EXPECT_EQ(lite->base_population_year(), pg->base_population_year());
    EXPECT_EQ(lite->read_attributes(geo::level::circuit, "2024-01-01"),
              pg->read_attributes(geo::level::circuit, "2024-01-01"));
    // And so the coverage of every zone and district, today and as of 2024, is the file's.
    const std::string districts = coverage_of(uri, geo::level::district);
    EXPECT_GT(std::count(districts.begin(), districts.end(), '\n'), 140 * 7) << districts.substr(0, 400);
    EXPECT_NE(coverage_of(uri, geo::level::zone, "2024-06-30"), coverage_of(uri, geo::level::zone));
    for (geo::level lvl : {geo::level::zone, geo::level::district}) {
        EXPECT_EQ(coverage_of(demo, lvl), coverage_of(uri, lvl)) << geo::level_name(lvl);
        EXPECT_EQ(coverage_of(demo, lvl, "2024-06-30"), coverage_of(uri, lvl, "2024-06-30")) << geo::level_name(lvl);
    }
    // GDAL's PostgreSQL driver (what QGIS uses) sees the units as PostGIS layers.
    const auto hostport = uri.substr(uri.find('@') + 1, uri.rfind('/') - uri.find('@') - 1);
    const std::string gdal = "PG:host=" + hostport.substr(0, hostport.find(':')) +
                             " port=" + hostport.substr(hostport.find(':') + 1) + " dbname=copy_demo user=microplan";
    auto info = run("ogrinfo -ro -so '" + gdal + "' circuits");
    EXPECT_NE(info.output.find("Geometry: Multi Polygon"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("Feature Count: 1134"), std::string::npos) << info.output;
    // A database that already holds a store is not written over.
    EXPECT_THROW(geo::store::copy_store(demo, uri), geo::store_error);
}

TEST(PostgresStore, ImportsAreOneTransactionAndWritersExcludeEachOther) {
    DATABASE_OR_SKIP(uri, "copy_writers");
    geo::store::copy_store(demo_store::get().store(), uri);
    // An attribute imported through the usual use case, into the database.
    scratch dir;
    geo::usecases::attribute_request request;
    request.store = uri;
    request.name = "clinics_staffed";
    request.table.lvl = geo::level::circuit;
    request.table.value_field = "n";
    request.table.path = dir.write("a.csv", "code,n\n01D01C01,3\n");
    request.period = "2025";
    geo::usecases::import_attribute(request);
    auto read = [&] {
        return geo::store::open_store(uri, geo::store::open_mode::read_only)->read_attributes(geo::level::circuit);
    };
    ASSERT_TRUE(read().count("clinics_staffed"));
    EXPECT_EQ(read().at("clinics_staffed").at("01D01C01"), 3);
    // A change that fails half-way leaves nothing: tables created and rows written are rolled back.
    EXPECT_THROW(geo::store::update_atomically(
                     uri,
                     [](geo::store::planning_store& db) {
                         db.write_attributes(geo::level::circuit, "half", {{"01D01C01", 1}}, "test", "");
                         throw geo::store_error({}, "stop", "on purpose");
                     }),
                 geo::store_error);
    EXPECT_FALSE(read().count("half"));
    // A second writer waits for the first, then gives up with the usual message.
    geo::store::write_lock first(uri);
    std::string refused;
    std::thread other([&] {
        try {
            geo::store::write_lock second(uri, std::chrono::milliseconds(300));
        } catch (const geo::store::store_busy& e) {
            refused = e.what();
        }
    });
    other.join();
    EXPECT_NE(refused.find("another writer holds the planning store"), std::string::npos) << refused;
}

// Served from the database: the same tiles, pages and reports as from the file, and scenario
// edits written into the database.
TEST(PostgresStore, AServerOnTheDatabaseAnswersAsOnTheFileAndEditsLandThere) {
    DATABASE_OR_SKIP(uri, "serve_demo");
    const std::string& demo = demo_store::get().store();
    geo::store::copy_store(demo, uri);
    service::handler_options options;
    options.edit_token = "taller-2026";
    running_server file(demo, options), database(uri, options);
    for (const char* path :
         {"/tiles/all/5/9/15.mvt", "/tiles/all/8/73/127.mvt", "/collections/circuits/items?limit=20",
          "/collections/establishments/items?limit=100&offset=500", "/reports/unit/01D01?level=district",
          "/scorecards/zone/Z1?period=2026-06", "/monitoring/zone/Z1?period=2025-06"}) {
        auto a = test::http_get(file.port(), path), b = test::http_get(database.port(), path);
        ASSERT_EQ(b.status, 200u) << path << " " << b.body.substr(0, 300);
        auto strip = [](std::string body, std::uint16_t port) {  // links name the port; pages their time
            for (std::size_t at; (at = body.find(std::to_string(port))) != std::string::npos;) body.erase(at, 5);
            for (std::size_t at = body.find("\"timeStamp\""); at != std::string::npos;
                 at = body.find("\"timeStamp\"", at + 1))
                body.erase(at, body.find(',', at) - at);
            return body;
        };
        EXPECT_EQ(strip(a.body, file.port()), strip(b.body, database.port())) << path;
    }
    // A scenario and a proposed establishment: in the database's tables, undone there too.
    const std::map<std::string, std::string> auth = {{"Authorization", "Bearer taller-2026"},
                                                     {"Content-Type", "application/json"}};
    auto created = test::http_request_to(database.port(), "POST", "/scenarios", auth, R"({"name":"taller"})");
    ASSERT_EQ(created.status, 201u) << created.body;
    const auto id = std::to_string(nlohmann::json::parse(created.body)["id"].get<long long>());
    auto added =
        test::http_request_to(database.port(), "POST", "/scenarios/" + id + "/establishments", auth,
                              R"({"sector":"health","typology":"Centro de Salud Tipo A","lon":-78.5,"lat":-0.2})");
    ASSERT_EQ(added.status, 201u) << added.body;
    auto db = geo::store::open_store(uri, geo::store::open_mode::read_only);
    ASSERT_EQ(db->read_proposals().size(), 1u);
    EXPECT_EQ(db->read_proposals()[0].circuit_code, "08D03C01");
    auto undone = test::http_request_to(database.port(), "POST", "/scenarios/" + id + "/undo", auth);
    EXPECT_EQ(undone.status, 200u) << undone.body;
    EXPECT_TRUE(db->read_proposals().empty());
}

// A server on the database sees what other clients write there: an import by microplan, and an
// edit made directly in the database (as QGIS makes them), each within the watcher's interval.
TEST(PostgresStore, AServerOnTheDatabaseReloadsWhatOtherClientsWrite) {
    DATABASE_OR_SKIP(uri, "watch_demo");
    geo::store::copy_store(demo_store::get().store(), uri);
    running_server server(uri);
    service::store_watcher watcher(server.state, std::chrono::milliseconds(100), {});
    auto observed = [&] {
        auto r = test::http_get(server.port(), "/observations?code=Z1&indicator=cobertura");
        return nlohmann::json::parse(r.body)["number"].get<int>();
    };
    auto name_of = [&] {
        auto r = test::http_get(server.port(), "/collections/circuits/items?code=01D01C01");
        return nlohmann::json::parse(r.body)["features"][0]["properties"]["name"].get<std::string>();
    };
    auto eventually = [](const std::function<bool()>& done) {
        for (int i = 0; i < 100 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return done();
    };
    EXPECT_EQ(observed(), 0);
    scratch dir;
    geo::usecases::import_observations(
        uri, dir.write("obs.csv", "indicador,nivel,codigo,periodo,valor\ncobertura,zona,Z1,2025,50\n"));
    EXPECT_TRUE(eventually([&] { return observed() == 1; })) << "the import was not picked up";
    geo::postgres::connection direct(uri);
    direct.exec("UPDATE circuits SET name = 'Renombrado en QGIS' WHERE code = '01D01C01'");
    EXPECT_TRUE(eventually([&] { return name_of() == "Renombrado en QGIS"; })) << name_of();
}

}  // namespace
