// The investment portfolio: table `projects` (docs/store.md), a point geometry where the project
// has one, its units, costs, financing, dates and milestones (JSON).
#include <nlohmann/json.hpp>

#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

namespace {

constexpr const char* columns =
    "code, name, sector, kind, typology, status, unit_code, zone_code, district_code, circuit_code, investment, "
    "recurrent, own_funds, transfers, debt, international, start_date, end_date, milestones, physical_progress, "
    "entity, source_line, establishment, geom";

void ensure_table(sql::connection& db) {
    if (db.has_table("projects")) {
        // Stores written before projects named their establishment.
        if (!db.has_column("projects", "establishment")) db.exec("ALTER TABLE projects ADD COLUMN establishment TEXT");
        return;
    }
    db.exec(
        "CREATE TABLE projects (fid INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, name TEXT,"
        " sector TEXT NOT NULL, kind TEXT NOT NULL, typology TEXT, status TEXT NOT NULL, unit_code TEXT,"
        " zone_code TEXT, district_code TEXT, circuit_code TEXT, investment REAL, recurrent REAL, own_funds REAL,"
        " transfers REAL, debt REAL, international REAL, start_date TEXT, end_date TEXT, milestones TEXT,"
        " physical_progress REAL, entity TEXT, source_line INTEGER, establishment TEXT)");
    dialect::add_geometry(db, "projects", "POINT", false, true);
    db.exec("CREATE INDEX projects_district ON projects(district_code, sector)");
}

project_kind kind_of(const std::string& text) {
    for (auto k : {project_kind::new_establishment, project_kind::rehabilitation, project_kind::expansion,
                   project_kind::network_extension})
        if (text == kind_name(k)) return k;
    return project_kind::other;
}

project_status status_of(const std::string& text) {
    for (auto s :
         {project_status::funded, project_status::in_execution, project_status::finished, project_status::suspended})
        if (text == status_name(s)) return s;
    return project_status::planned;
}

}  // namespace

void write_projects(sql::connection& db, std::span<const stored_project> rows) {
    ensure_table(db);
    db.exec("DELETE FROM projects");
    sql::statement ins(db, std::string("INSERT INTO projects (") + columns +
                               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, " +
                               dialect::point_from_xy(db) + ")");
    for (const stored_project& row : rows) {
        const project& p = row.attributes;
        nlohmann::json milestones = nlohmann::json::array();
        for (const auto& m : p.milestones) milestones.push_back({{"date", m.date}, {"name", m.name}});
        ins.bind(1, p.code).bind(2, p.name).bind(3, p.sector).bind(4, kind_name(p.kind)).bind(5, p.typology);
        ins.bind(6, status_name(p.status)).bind(7, p.unit_code).bind(8, row.zone_code).bind(9, row.district_code);
        ins.bind(10, row.circuit_code).bind(11, p.investment).bind(12, p.recurrent).bind(13, p.own_funds);
        ins.bind(14, p.transfers).bind(15, p.debt).bind(16, p.international).bind(17, p.start).bind(18, p.end);
        ins.bind(19, milestones.dump());
        if (p.physical_progress)
            ins.bind(20, *p.physical_progress);
        else
            ins.bind_null(20);
        ins.bind(21, p.entity).bind(22, static_cast<std::int64_t>(p.line)).bind(23, p.establishment);
        if (p.lon && p.lat)
            ins.bind(24, *p.lon).bind(25, *p.lat);
        else
            ins.bind_null(24).bind_null(25);
        ins.run();
    }
}

std::vector<stored_project> read_projects(sql::connection& db) {
    std::vector<stored_project> out;
    if (!db.has_table("projects")) return out;
    const bool linked = db.has_column("projects", "establishment");
    std::string cols = columns;
    if (!linked) cols.replace(cols.find("establishment"), std::string("establishment").size(), "NULL");
    sql::statement q(db, "SELECT fid, " + cols + ", " + dialect::x_of_geom(db) + ", " + dialect::y_of_geom(db) +
                             " FROM projects ORDER BY fid");
    while (q.step()) {
        stored_project r;
        project& p = r.attributes;
        r.fid = q.integer(0);
        p.code = q.text(1);
        p.name = q.text(2);
        p.sector = q.text(3);
        p.kind = kind_of(q.text(4));
        p.typology = q.text(5);
        p.status = status_of(q.text(6));
        p.unit_code = q.text(7);
        p.unit_level = planning_level_of_code(p.unit_code);
        r.zone_code = q.text(8);
        r.district_code = q.text(9);
        r.circuit_code = q.text(10);
        p.investment = q.real(11);
        p.recurrent = q.real(12);
        p.own_funds = q.real(13);
        p.transfers = q.real(14);
        p.debt = q.real(15);
        p.international = q.real(16);
        p.start = q.text(17);
        p.end = q.text(18);
        for (const auto& m : nlohmann::json::parse(q.text(19), nullptr, false))
            if (m.is_object()) p.milestones.push_back({m.value("date", ""), m.value("name", "")});
        if (!q.is_null(20)) p.physical_progress = q.real(20);
        p.entity = q.text(21);
        p.line = q.integer(22);
        p.establishment = q.text(23);
        if (!q.is_null(25)) p.lon = q.real(25), p.lat = q.real(26);
        out.push_back(std::move(r));
    }
    return out;
}

void write_execution(sql::connection& db, std::span<const execution_row> rows) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS execution (project_code TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT "
        "NULL, codified REAL, committed REAL, accrued REAL, paid REAL, source_line INTEGER, PRIMARY KEY "
        "(project_code, year, month))");
    // A month imported again replaces the earlier figures (an upsert both engines read).
    sql::statement ins(db,
                       "INSERT INTO execution VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (project_code, year, month) DO "
                       "UPDATE SET codified = excluded.codified, committed = excluded.committed, accrued = "
                       "excluded.accrued, paid = excluded.paid, source_line = excluded.source_line");
    for (const execution_row& r : rows)
        ins.bind(1, r.project_code)
            .bind(2, r.year)
            .bind(3, r.month)
            .bind(4, r.codified)
            .bind(5, r.committed)
            .bind(6, r.accrued)
            .bind(7, r.paid)
            .bind(8, static_cast<std::int64_t>(r.line))
            .run();
}

std::vector<execution_row> read_execution(sql::connection& db) {
    std::vector<execution_row> out;
    if (!db.has_table("execution")) return out;
    sql::statement q(db,
                     "SELECT project_code, year, month, codified, committed, accrued, paid, source_line FROM "
                     "execution ORDER BY project_code, year, month");
    while (q.step()) {
        execution_row r;
        r.project_code = q.text(0);
        r.year = static_cast<int>(q.integer(1));
        r.month = static_cast<int>(q.integer(2));
        r.codified = q.real(3);
        r.committed = q.real(4);
        r.accrued = q.real(5);
        r.paid = q.real(6);
        r.line = q.integer(7);
        out.push_back(std::move(r));
    }
    return out;
}

// Observed indicator values (docs/store.md): never updated; each import adds revisions.
void write_observations(sql::connection& db, std::span<const observation> rows, const std::string& source) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS observations (revision INTEGER PRIMARY KEY AUTOINCREMENT, indicator TEXT NOT "
        "NULL, sector TEXT NOT NULL, level TEXT NOT NULL, code TEXT NOT NULL, period TEXT NOT NULL, value REAL NOT "
        "NULL, note TEXT, source TEXT, source_line INTEGER);"
        "CREATE INDEX IF NOT EXISTS observations_key ON observations(indicator, sector, level, code, period)");
    sql::statement ins(db,
                       "INSERT INTO observations (indicator, sector, level, code, period, value, note, source, "
                       "source_line) VALUES (?,?,?,?,?,?,?,?,?)");
    for (const observation& o : rows)
        ins.bind(1, o.indicator)
            .bind(2, o.sector)
            .bind(3, level_name(o.lvl))
            .bind(4, o.code)
            .bind(5, o.period)
            .bind(6, o.value)
            .bind(7, o.note)
            .bind(8, source)
            .bind(9, static_cast<std::int64_t>(o.line))
            .run();
}

std::vector<stored_observation> read_observations(sql::connection& db, bool every_revision) {
    std::vector<stored_observation> out;
    if (!db.has_table("observations")) return out;
    // The latest revision of each: SQLite takes the bare columns of a MAX() group from the row
    // holding the maximum; PostgreSQL says so with DISTINCT ON.
    const char* latest = dialect::postgres(db)
                             ? "SELECT DISTINCT ON (indicator, sector, level, code, period) revision, indicator, "
                               "sector, level, code, period, value, note, source, source_line FROM observations "
                               "ORDER BY indicator, sector, level, code, period, revision DESC"
                             : "SELECT MAX(revision), indicator, sector, level, code, period, value, note, source, "
                               "source_line FROM observations GROUP BY indicator, sector, level, code, period ORDER "
                               "BY indicator, sector, level, code, period";
    sql::statement q(db, every_revision ? "SELECT revision, indicator, sector, level, code, period, value, note, "
                                          "source, source_line FROM observations ORDER BY indicator, sector, "
                                          "level, code, period, revision"
                                        : latest);
    while (q.step()) {
        stored_observation r;
        r.revision = q.integer(0);
        observation& o = r.attributes;
        o.indicator = q.text(1);
        o.sector = q.text(2);
        o.lvl = parse_level(q.text(3)).value_or(level::district);
        o.code = q.text(4);
        o.period = q.text(5);
        o.value = q.real(6);
        o.note = q.text(7);
        r.source = q.text(8);
        o.line = q.integer(9);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace microplan::geo::store::spatialite
