// The planning store in PostgreSQL/PostGIS (issue 22): the demo copied from its SpatiaLite file
// plans as the file does; imports are one transaction; writers exclude each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "geo/usecases/demo_store.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/postgres.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/planning/report.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/store/store_copy.hpp"
#include "microplan/geo/usecases/planning.hpp"
#include "microplan/geo/usecases/projects.hpp"
#include "microplan/geo/usecases/standards.hpp"
#include "microplan/service/store_watcher.hpp"
#include "service/http_client.hpp"
#include "service/running_server.hpp"
#include "support.hpp"
#include "watchdog.hpp"

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

// Every row of `table` as text, in the order of its primary key (rowid without one), values
// through SQLite's quote() (blobs in hex).
std::string dump(geo::sqlite::connection& db, const std::string& table) {
    std::string columns, key;
    geo::sqlite::statement cols(db, "SELECT name, pk FROM pragma_table_info(?) ORDER BY name");
    cols.bind(1, table);
    std::map<std::int64_t, std::string> keys;
    while (cols.step()) {
        columns += (columns.empty() ? "quote(\"" : " || '|' || quote(\"") + cols.text(0) + "\")";
        if (cols.integer(1) > 0) keys[cols.integer(1)] = "\"" + cols.text(0) + "\"";
    }
    for (const auto& [position, name] : keys) key += (key.empty() ? "" : ", ") + name;
    std::string out;
    geo::sqlite::statement rows(
        db, "SELECT " + columns + " FROM \"" + table + "\" ORDER BY " + (key.empty() ? "rowid" : key));
    while (rows.step()) out += rows.text(0) + "\n";
    return out;
}

// The other way: the database copied back into a file holds every row of every table of the
// original file, and plans and serves as it does.
TEST(PostgresStore, ACopyBackIntoAFileHoldsWhatTheOriginalHeld) {
    DATABASE_OR_SKIP(uri, "copy_back");
    const std::string& demo = demo_store::get().store();
    const auto there = geo::store::copy_store(demo, uri);
    scratch dir;
    const std::string back = dir.path("back.sqlite");
    const auto copied = geo::store::copy_store(uri, back);
    EXPECT_EQ(copied.tables, there.tables);
    EXPECT_EQ(copied.rows, there.rows);
    geo::sqlite::connection a(demo, geo::sqlite::connection::mode::read_only),
        b(back, geo::sqlite::connection::mode::read_only);
    std::vector<std::string> tables;
    geo::sqlite::statement names(a,
                                 "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (SELECT name FROM "
                                 "sqlite_master WHERE sql NOT LIKE 'CREATE VIRTUAL%') AND name NOT LIKE 'idx_%' AND "
                                 "name NOT LIKE 'sqlite_%' AND name NOT LIKE '%geometry%' AND name NOT LIKE "
                                 "'spatial%' AND name NOT LIKE 'spatialite%' AND name NOT IN ('data_licenses', "
                                 "'sql_statements_log', 'ElementaryGeometries', 'KNN', 'KNN2', 'SpatialIndex')");
    while (names.step()) tables.push_back(names.text(0));
    EXPECT_EQ(tables.size(), there.tables);
    for (const auto& t : tables) {
        const std::string x = dump(a, t), y = dump(b, t);
        if (x == y) continue;
        std::size_t at = 0;  // the first line that differs (a diff of whole tables takes gtest minutes)
        while (at < std::min(x.size(), y.size()) && x[at] == y[at]) ++at;
        const std::size_t line = x.rfind('\n', at) == std::string::npos ? 0 : x.rfind('\n', at) + 1;
        ADD_FAILURE() << t << " differs from line " << std::count(x.begin(), x.begin() + line, '\n') + 1 << ":\n"
                      << x.substr(line, 300) << "\n"
                      << y.substr(line, 300);
    }
    // The R*Trees of the geometry columns are there, and GDAL reads the file as SpatiaLite.
    geo::sqlite::statement indexed(b, "SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled = 1");
    ASSERT_TRUE(indexed.step());
    EXPECT_GE(indexed.integer(0), 4);
    auto info = run("ogrinfo -ro -so '" + back + "' circuits");
    EXPECT_NE(info.output.find("Feature Count: 1134"), std::string::npos) << info.output;
    for (geo::level lvl : {geo::level::zone, geo::level::district})
        EXPECT_EQ(coverage_of(demo, lvl, "2024-06-30"), coverage_of(back, lvl, "2024-06-30")) << geo::level_name(lvl);
    running_server original(demo), returned(back);
    for (const char* path : {"/tiles/all/5/9/15.mvt", "/tiles/all/8/73/127.mvt"})
        EXPECT_EQ(test::http_get(original.port(), path).body, test::http_get(returned.port(), path).body) << path;
    // A file that exists is not written over; the command says so.
    EXPECT_THROW(geo::store::copy_store(uri, back), geo::store_error);
    auto refused = run(std::string(MICROPLAN_BINARY) + " store copy '" + uri + "' '" + back + "'");
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("destination exists"), std::string::npos) << refused.output;
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
        auto strip = [](std::string body, std::uint16_t port) {            // links name the port; pages their time
            const std::string host = "127.0.0.1:" + std::to_string(port);  // not the digits alone: coordinates
            for (std::size_t at; (at = body.find(host)) != std::string::npos;) body.erase(at, host.size());
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

// Waits until `done` holds, at most `limit`; returns whether it does.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return done();
}

// A replica as `microplan serve` wires it: the server, and its watcher LISTENing on the
// database with the book's edit session as its own.
struct replica {
    explicit replica(const std::string& uri, service::handler_options options = {},
                     std::chrono::milliseconds interval = std::chrono::milliseconds(500))
        : server(uri, std::move(options)) {
        // Wired before the watcher's thread starts: it may reload at once.
        server.state.on_replace(
            [this](std::shared_ptr<const service::snapshot> next) { server.scenarios.rebase(std::move(next)); });
        watcher = std::make_unique<service::store_watcher>(
            server.state, interval, [this](const std::string& line) { log_line(line); },
            [this] { return server.scenarios.edit_session(); });
    }
    ~replica() { watcher.reset(); }  // stopped before the server it reloads
    void log_line(const std::string& line) {
        std::lock_guard lock(mutex);
        log += line + "\n";
    }
    std::string lines() {
        std::lock_guard lock(mutex);
        return log;
    }
    nlohmann::json health() {
        auto r = test::http_get(server.port(), "/health");
        auto j = nlohmann::json::parse(r.body);
        j["http_status"] = r.status;
        return j;
    }
    std::mutex mutex;
    std::string log;
    running_server server;
    std::unique_ptr<service::store_watcher> watcher;
};

// The tile of zoom `z` that holds (lon, lat), as "/tiles/all/z/x/y.mvt".
std::string tile_at(int z, double lon, double lat) {
    const double n = std::pow(2.0, z), rad = lat * M_PI / 180;
    const int x = static_cast<int>((lon + 180) / 360 * n);
    const int y = static_cast<int>((1 - std::asinh(std::tan(rad)) / M_PI) / 2 * n);
    return "/tiles/all/" + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y) + ".mvt";
}

// A server on the database hears what other clients write there (LISTEN/NOTIFY, no polling):
// an import by microplan, and an edit made directly in the database as QGIS makes them. The
// tiles that the edited circuit meets are rendered again; a tile far from it stays cached.
TEST(PostgresStore, AServerOnTheDatabaseHearsWhatOtherClientsWrite) {
    const test::watchdog deadline(std::chrono::seconds(180));  // a hang aborts with the test's name
    DATABASE_OR_SKIP(uri, "watch_demo");
    geo::store::copy_store(demo_store::get().store(), uri);
    replica r(uri, {}, std::chrono::seconds(30));  // a poll would take 30 s: what arrives sooner was heard
    ASSERT_TRUE(eventually([&] { return r.watcher->listening(); })) << r.lines();
    auto observed = [&] {
        auto res = test::http_get(r.server.port(), "/observations?code=Z1&indicator=cobertura");
        return nlohmann::json::parse(res.body)["number"].get<int>();
    };
    auto circuit = [&] {
        auto res = test::http_get(r.server.port(), "/collections/circuits/items?code=01D01C01");
        return nlohmann::json::parse(res.body)["features"][0];
    };
    EXPECT_EQ(observed(), 0);
    scratch dir;
    auto started = std::chrono::steady_clock::now();
    geo::usecases::import_observations(
        uri, dir.write("obs.csv", "indicador,nivel,codigo,periodo,valor\ncobertura,zona,Z1,2025,50\n"));
    EXPECT_TRUE(eventually([&] { return observed() == 1; })) << "the import was not heard\n" << r.lines();
    const double heard_import = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // Two tiles cached: one under the circuit about to change, one at the other end of the country.
    const auto corner = circuit()["geometry"]["coordinates"][0][0][0];  // a vertex of its boundary
    const std::string near = tile_at(8, corner[0].get<double>(), corner[1].get<double>()),
                      far = tile_at(8, -79.2, -4.0);  // Loja
    ASSERT_NE(near, far);
    for (const auto& t : {near, far}) ASSERT_EQ(test::http_get(r.server.port(), t).status, 200u) << t;
    const auto misses_before = r.health()["tile_cache"]["misses"].get<long long>();
    const auto etag_before = test::http_get(r.server.port(), near).headers["ETag"];
    started = std::chrono::steady_clock::now();
    geo::postgres::connection direct(uri);
    direct.exec("UPDATE circuits SET name = 'Renombrado en QGIS' WHERE code = '01D01C01'");
    EXPECT_TRUE(eventually([&] { return circuit()["properties"]["name"] == "Renombrado en QGIS"; })) << r.lines();
    const double heard_edit = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(test::http_get(r.server.port(), far).status, 200u);
    EXPECT_EQ(r.health()["tile_cache"]["misses"].get<long long>(), misses_before) << "the far tile was dropped";
    const auto again = test::http_get(r.server.port(), near);
    EXPECT_EQ(r.health()["tile_cache"]["misses"].get<long long>(), misses_before + 1) << "the near tile was kept";
    EXPECT_NE(again.headers.at("ETag"), etag_before);
    // Logged once the new snapshot is in place (just after the name above can be seen).
    EXPECT_TRUE(eventually([&] { return r.lines().find("store changed (circuits by backend ") != std::string::npos; }))
        << r.lines();
    RecordProperty("heard_import_seconds", std::to_string(heard_import));
    RecordProperty("heard_edit_seconds", std::to_string(heard_edit));
}

// Two replicas on one database: an edit through one reaches the other (the scenario tables are
// created by that first edit, after the copy, and watched from it); the replica that edited
// does not reload for its own change.
TEST(PostgresStore, AnEditThroughOneReplicaReachesTheOther) {
    const test::watchdog deadline(std::chrono::seconds(180));  // a hang aborts with the test's name
    DATABASE_OR_SKIP(uri, "replicas_demo");
    geo::store::copy_store(demo_store::get().store(), uri);
    service::handler_options options;
    options.edit_token = "taller-2026";
    replica one(uri, options), two(uri, options);
    ASSERT_TRUE(eventually([&] { return one.watcher->listening() && two.watcher->listening(); }));
    const auto etag = test::http_get(two.server.port(), "/scenarios").headers["ETag"];
    const std::map<std::string, std::string> auth = {{"Authorization", "Bearer taller-2026"},
                                                     {"Content-Type", "application/json"}};
    auto created = test::http_request_to(one.server.port(), "POST", "/scenarios", auth, R"({"name":"zona 9"})");
    ASSERT_EQ(created.status, 201u) << created.body;
    const auto id = std::to_string(nlohmann::json::parse(created.body)["id"].get<long long>());
    auto added =
        test::http_request_to(one.server.port(), "POST", "/scenarios/" + id + "/establishments", auth,
                              R"({"sector":"health","typology":"Centro de Salud Tipo A","lon":-78.5,"lat":-0.2})");
    ASSERT_EQ(added.status, 201u) << added.body;
    auto proposals = [&](replica& r) {
        auto res = test::http_get(r.server.port(), "/scenarios/" + id);
        return res.status == 200 ? nlohmann::json::parse(res.body)["establishments"]["features"].size() : 0u;
    };
    EXPECT_TRUE(eventually([&] { return proposals(two) == 1; })) << two.lines();
    EXPECT_NE(test::http_get(two.server.port(), "/scenarios").headers["ETag"], etag);
    EXPECT_EQ(proposals(one), 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(one.health()["generation"], 1) << "reloaded for its own edit:\n" << one.lines();
    EXPECT_GE(two.health()["generation"].get<int>(), 2);
    // Every table, those made after the copy included, is watched.
    geo::postgres::connection db(uri);
    geo::sql::statement unwatched(db,
                                  "SELECT string_agg(c.relname, ', ') FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                  "c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema() AND "
                                  "c.relname NOT IN ('microplan_meta', 'spatial_ref_sys') AND NOT EXISTS (SELECT 1 "
                                  "FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'microplan_changed')");
    ASSERT_TRUE(unwatched.step());
    EXPECT_EQ(unwatched.text(0), "");
}

// A replica whose LISTEN connection is killed says so on /health (503, for the proxy), keeps
// serving its last snapshot, connects again and catches up with what changed meanwhile.
TEST(PostgresStore, AReplicaWhoseListenConnectionIsKilledReconnectsAndCatchesUp) {
    const test::watchdog deadline(std::chrono::seconds(180));  // a hang aborts with the test's name
    DATABASE_OR_SKIP(uri, "listen_lost");
    geo::store::copy_store(demo_store::get().store(), uri);
    replica r(uri, {}, std::chrono::milliseconds(1000));
    ASSERT_TRUE(eventually([&] { return r.watcher->listening(); }));
    EXPECT_EQ(r.health()["http_status"], 200);
    geo::postgres::connection admin(uri);
    admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'microplan listen' AND "
        "datname = current_database()");
    admin.exec("UPDATE districts SET name = 'Cambiado sin aviso' WHERE code = '01D01'");
    EXPECT_TRUE(eventually([&] { return r.health()["http_status"] == 503; })) << r.lines();
    EXPECT_NE(r.health()["reason"].get<std::string>().find("not listening"), std::string::npos);
    EXPECT_EQ(test::http_get(r.server.port(), "/collections/districts/items?limit=1").status, 200u);
    EXPECT_TRUE(eventually([&] { return r.health()["http_status"] == 200; })) << r.lines();
    auto name = [&] {
        auto res = test::http_get(r.server.port(), "/collections/districts/items?code=01D01");
        return nlohmann::json::parse(res.body)["features"][0]["properties"]["name"].get<std::string>();
    };
    EXPECT_TRUE(eventually([&] { return name() == "Cambiado sin aviso"; })) << r.lines();
    EXPECT_NE(r.lines().find("listening to the store's database again"), std::string::npos) << r.lines();
}

}  // namespace
