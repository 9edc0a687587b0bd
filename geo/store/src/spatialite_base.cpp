#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/error.hpp"
#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

namespace fs = std::filesystem;

namespace {

error_location at(const std::string& path) { return error_location{path, {}, {}, {}, {}}; }

void fsync_path(const std::string& path, bool directory) {
    int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Temporary copies of killed writers: "<store>.tmp-<pid>" whose process is gone.
void remove_stale_copies(const fs::path& target) {
    std::error_code ec;
    fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::string prefix = target.filename().string() + ".tmp-";
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        if (!name.starts_with(prefix)) continue;
        std::string rest = name.substr(prefix.size());
        if (auto dash = rest.find('-'); dash != std::string::npos) rest = rest.substr(0, dash);
        pid_t pid = static_cast<pid_t>(std::atol(rest.c_str()));
        if (pid > 0 && ::kill(pid, 0) != 0) fs::remove(entry.path(), ec);
    }
}

// A scenario edit killed in the middle of its commit leaves a hot journal beside the store, which
// SQLite rolls back on the next connection. The private copy would not carry the journal, so
// it is rolled back on the store itself first (under the write lock: no edit is running).
void roll_back_interrupted_edit(const write_lock& lock) {
    if (!fs::exists(lock.target() + "-journal")) return;
    sqlite::connection db(lock.target(), sqlite::connection::mode::read_write);
    db.exec("SELECT count(*) FROM sqlite_master");
}

// Test hook (tests/geo/store/store_writers_test.cpp): MICROPLAN_HOLD=<point> stops the writer at
// that point, holding its lock, until the file MICROPLAN_HOLD_RELEASE exists (at most a minute).
// It announces the point reached by creating MICROPLAN_HOLD_RELEASE + ".reached".
void hold_point(const char* point) {
    const char* want = std::getenv("MICROPLAN_HOLD");
    const char* release = std::getenv("MICROPLAN_HOLD_RELEASE");
    if (!want || !release || std::string(want) != point) return;
    std::FILE* reached = std::fopen((std::string(release) + ".reached").c_str(), "w");
    if (reached) std::fclose(reached);
    for (int i = 0; i < 3000 && !fs::exists(release); ++i) ::usleep(20'000);
}

}  // namespace

void update_atomically(const write_lock& lock, const std::function<void(sqlite::connection&)>& change) {
    const std::string& path = lock.location();
    fs::path target(lock.target());
    remove_stale_copies(target);
    std::string temp = lock.target() + ".tmp-" + std::to_string(::getpid());
    std::error_code ec;
    fs::remove(temp, ec);
    try {
        if (fs::exists(target)) {
            roll_back_interrupted_edit(lock);
            fs::copy_file(target, temp, fs::copy_options::overwrite_existing);
        } else if (!target.parent_path().empty() && !fs::is_directory(target.parent_path())) {
            throw store_error(at(path), "cannot create the planning store",
                              "folder '" + target.parent_path().string() + "' does not exist");
        }
        {
            sqlite::connection db(temp, sqlite::connection::mode::create);
            check_schema_version(db, path);
            // Atomicity comes from the rename below; the private copy needs no journal.
            db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
            sql::transaction tx(db);
            change(db);
            fault_point("before-commit");
            tx.commit();
        }
        fsync_path(temp, false);
        fault_point("before-rename");
        hold_point("before-rename");
        fs::rename(temp, target);
        fsync_path(target.parent_path().empty() ? "." : target.parent_path().string(), true);
    } catch (const fs::filesystem_error& e) {
        fs::remove(temp, ec);
        throw store_error(at(path), "cannot write the planning store", e.code().message());
    } catch (...) {
        fs::remove(temp, ec);
        throw;
    }
}

namespace {

void refuse_other_schema(const std::string& found, const std::string& location) {
    if (found == std::to_string(schema_version)) return;
    throw store_error(at(location), "unknown store schema version",
                      "the store has schema_version '" + found + "' (microplan_meta); this build of microplan reads " +
                          "schema version " + std::to_string(schema_version) +
                          " only: open it with the microplan that wrote it");
}

}  // namespace

void check_schema_version(sqlite::connection& db, const std::string& location) {
    sqlite3_stmt* raw = nullptr;
    // A file that is no SQLite database, or has no microplan metadata, is judged by its caller.
    if (sqlite3_prepare_v2(db.handle(), "SELECT value FROM microplan_meta WHERE key = 'schema_version'", -1, &raw,
                           nullptr) != SQLITE_OK) {
        sqlite3_finalize(raw);
        return;
    }
    std::unique_ptr<sqlite3_stmt, sqlite::statement_deleter> q(raw);
    if (sqlite3_step(q.get()) != SQLITE_ROW) return;
    const unsigned char* text = sqlite3_column_text(q.get(), 0);
    refuse_other_schema(text ? reinterpret_cast<const char*>(text) : "", location);
}

void check_database_schema_version(sql::connection& db) {
    if (!db.has_table("microplan_meta")) return;
    sql::statement q(db, "SELECT value FROM microplan_meta WHERE key = 'schema_version'");
    if (q.step()) refuse_other_schema(q.text(0), db.path());
}

void ensure_schema(sql::connection& db, const std::string& analysis_crs) {
    dialect::init_spatial(db);
    db.exec(
        "CREATE TABLE IF NOT EXISTS microplan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS microplan_imports ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT, level TEXT NOT NULL, source TEXT NOT NULL, layer TEXT,"
        "  driver TEXT, source_crs TEXT, fields TEXT, imported_at TEXT NOT NULL, unit_count INTEGER NOT NULL,"
        "  vertex_count INTEGER, error_count INTEGER, warning_count INTEGER);"
        "CREATE TABLE IF NOT EXISTS microplan_findings ("
        "  import_id INTEGER NOT NULL REFERENCES microplan_imports(id), severity TEXT NOT NULL, rule TEXT NOT NULL,"
        "  level TEXT, code TEXT, feature INTEGER, message TEXT NOT NULL, lon REAL, lat REAL, area_km2 REAL);");
    sql::statement put(db, "INSERT INTO microplan_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING");
    put.bind(1, "schema_version").bind(2, std::to_string(schema_version)).run();
    put.bind(1, "analysis_crs").bind(2, analysis_crs).run();
    put.bind(1, "created_at").bind(2, now_utc()).run();
}

void write_level(sql::connection& db, const unit_layer& layer, const import_record& record, const findings& report) {
    std::string table(level_table(layer.lvl));
    if (!db.has_table(table)) {
        db.exec("CREATE TABLE " + table +
                " (fid INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, name TEXT, parent_code TEXT,"
                " area_km2 REAL NOT NULL, perimeter_km REAL NOT NULL)");
        dialect::add_geometry(db, table, "MULTIPOLYGON", true, true);
    } else {
        db.exec("DELETE FROM " + table);
        dialect::restart_key(db, table);
    }
    std::vector<const unit*> order;
    for (const auto& u : layer.units) order.push_back(&u);
    std::sort(order.begin(), order.end(), [](const unit* a, const unit* b) { return a->code < b->code; });
    sql::statement ins(db, "INSERT INTO " + table +
                               " (code, name, parent_code, area_km2, perimeter_km, geom)"
                               " VALUES (?, ?, ?, ?, ?, " +
                               dialect::multipolygon_from_wkb(db) + ")");
    for (const unit* u : order) {
        ins.bind(1, u->code).bind(2, u->name);
        if (u->parent_code.empty())
            ins.bind_null(3);
        else
            ins.bind(3, u->parent_code);
        ins.bind(4, u->area_km2).bind(5, u->perimeter_km);
        auto wkb = geos::to_wkb(u->geometry.get());
        ins.bind_blob(6, wkb);
        ins.run();
    }
    record_import(db, level_name(layer.lvl), record, layer.units.size(), report);
}

std::int64_t record_import(sql::connection& db, std::string_view what, const import_record& record, std::size_t rows,
                           const findings& report) {
    sql::statement rec(db,
                       "INSERT INTO microplan_imports(level, source, layer, driver, source_crs, fields, imported_at,"
                       " unit_count, vertex_count, error_count, warning_count) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    rec.bind(1, what).bind(2, record.source).bind(3, record.layer).bind(4, record.driver);
    rec.bind(5, record.source_crs).bind(6, record.fields).bind(7, now_utc());
    rec.bind(8, static_cast<std::int64_t>(rows)).bind(9, static_cast<std::int64_t>(record.vertices));
    rec.bind(10, static_cast<std::int64_t>(report.count(severity::error)));
    rec.bind(11, static_cast<std::int64_t>(report.count(severity::warning)));
    rec.run();
    std::int64_t import_id = db.last_insert_id();
    sql::statement fnd(
        db,
        "INSERT INTO microplan_findings(import_id, severity, rule, level, code, feature, message, lon, lat,"
        " area_km2) VALUES (?,?,?,?,?,?,?,?,?,?)");
    for (const finding& f : report.items) {
        fnd.bind(1, import_id).bind(2, severity_name(f.sev)).bind(3, f.rule);
        if (f.lvl)
            fnd.bind(4, level_name(*f.lvl));
        else
            fnd.bind_null(4);
        fnd.bind(5, f.code);
        if (f.feature)
            fnd.bind(6, static_cast<std::int64_t>(*f.feature));
        else
            fnd.bind_null(6);
        fnd.bind(7, f.message);
        if (f.lon)
            fnd.bind(8, *f.lon);
        else
            fnd.bind_null(8);
        if (f.lat)
            fnd.bind(9, *f.lat);
        else
            fnd.bind_null(9);
        if (f.area_km2)
            fnd.bind(10, *f.area_km2);
        else
            fnd.bind_null(10);
        fnd.run();
    }
    return import_id;
}

unit_layer read_level(sql::connection& db, level lvl, const std::string& analysis_crs) {
    unit_layer layer;
    layer.lvl = lvl;
    std::string table(level_table(lvl));
    if (!db.has_table(table)) return layer;
    std::optional<proj::transformer> to_analysis;
    if (!analysis_crs.empty()) to_analysis.emplace("EPSG:4326", analysis_crs);
    sql::statement q(db, "SELECT fid, code, name, parent_code, area_km2, perimeter_km, " +
                             std::string(dialect::wkb_of_geom(db)) + " FROM " + table + " ORDER BY code");
    while (q.step()) {
        unit u;
        u.lvl = lvl;
        u.source_fid = q.integer(0);
        u.code = q.text(1);
        u.name = q.text(2);
        u.parent_code = q.text(3);
        u.area_km2 = q.real(4);
        u.perimeter_km = q.real(5);
        u.geometry = geos::from_wkb(q.blob(6));
        if (to_analysis) u.projected = geos::valid_polygonal(to_analysis->forward(u.geometry.get()));
        layer.units.push_back(std::move(u));
    }
    return layer;
}

std::vector<level> levels_present(sql::connection& db) {
    std::vector<level> out;
    for (level l : all_levels) {
        std::string table(level_table(l));
        if (!db.has_table(table)) continue;
        sql::statement q(db, "SELECT 1 FROM " + table + " LIMIT 1");
        if (q.step()) out.push_back(l);
    }
    return out;
}

findings recorded_findings(sql::connection& db) {
    findings out;
    if (!db.has_table("microplan_findings")) return out;
    sql::statement q(
        db,
        "SELECT severity, rule, level, code, feature, message, lon, lat, area_km2 FROM microplan_findings f"
        " WHERE import_id = (SELECT max(id) FROM microplan_imports i WHERE i.level = f.level)"
        " ORDER BY rowid");
    while (q.step()) {
        finding f;
        std::string sev = q.text(0);
        f.sev = sev == "error" ? severity::error : sev == "info" ? severity::info : severity::warning;
        f.rule = q.text(1);
        if (!q.is_null(2)) f.lvl = parse_level(q.text(2));
        f.code = q.text(3);
        if (!q.is_null(4)) f.feature = q.integer(4);
        f.message = q.text(5);
        if (!q.is_null(6)) f.lon = q.real(6);
        if (!q.is_null(7)) f.lat = q.real(7);
        if (!q.is_null(8)) f.area_km2 = q.real(8);
        out.add(std::move(f));
    }
    return out;
}

std::string analysis_crs(sql::connection& db) {
    if (!db.has_table("microplan_meta")) return "EPSG:32717";
    sql::statement q(db, "SELECT value FROM microplan_meta WHERE key = 'analysis_crs'");
    return q.step() ? q.text(0) : "EPSG:32717";
}

void count_change(sql::connection& db) {
    if (!dialect::postgres(db) || !db.has_table("microplan_meta")) return;
    db.exec(
        "INSERT INTO microplan_meta (key, value) VALUES ('changes', '1') ON CONFLICT (key) DO UPDATE SET value = "
        "CAST(CAST(microplan_meta.value AS BIGINT) + 1 AS TEXT);"
        "SELECT pg_notify('microplan', 'microplan_meta')");
    // A table this change created (or dropped and made again) is watched from now on.
    watch_new_tables(db);
}

void watch_new_tables(sql::connection& db) {
    if (!dialect::postgres(db) || !db.has_table("microplan_meta")) return;
    std::vector<std::string> fresh;
    sql::statement q(db,
                     "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                     "c.relkind = 'r' AND n.nspname = current_schema() AND c.relname NOT IN ('microplan_meta', "
                     "'spatial_ref_sys') AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND "
                     "t.tgname = 'microplan_changed') ORDER BY c.relname");
    while (q.step()) fresh.push_back(q.text(0));
    if (!fresh.empty()) watch_tables(db, fresh);
}

void watch_tables(sql::connection& db, const std::vector<std::string>& tables) {
    if (!dialect::postgres(db)) return;
    db.exec(
        "INSERT INTO microplan_meta (key, value) VALUES ('changes', '0') ON CONFLICT (key) DO NOTHING;"
        "CREATE OR REPLACE FUNCTION microplan_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE microplan_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'changes'; "
        "PERFORM pg_notify('microplan', TG_TABLE_NAME); RETURN NULL; END $$");
    for (const std::string& t : tables) {
        if (t == "microplan_meta") continue;
        db.exec("CREATE TRIGGER microplan_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \"" + t +
                "\" FOR EACH STATEMENT EXECUTE FUNCTION microplan_changed()");
    }
}

bool is_planning_store(sql::connection& db) { return db.has_table("microplan_meta"); }

std::vector<territory_unit> read_unit_records(sql::connection& db, level lvl) {
    std::vector<territory_unit> units;
    std::string table(level_table(lvl));
    if (!db.has_table(table)) return units;
    sql::statement q(db, "SELECT code, name, parent_code, area_km2 FROM " + table + " ORDER BY fid");
    while (q.step()) units.push_back({q.text(0), q.text(1), q.text(2), q.real(3)});
    return units;
}

}  // namespace microplan::geo::store::spatialite

namespace microplan::geo::store {

void fault_point(const char* point) {
    const char* want = std::getenv("MICROPLAN_FAULT");
    if (want && std::string(want) == point) ::raise(SIGKILL);
}

std::string now_utc() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace microplan::geo::store
