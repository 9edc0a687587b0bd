
#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

namespace {

void ensure_tables(sql::connection& db) {
    if (db.has_table("scenario_closures")) return;
    sql::transaction t(db);
    if (!db.has_table("scenario_edits")) {
        db.exec(
            "CREATE TABLE IF NOT EXISTS scenarios (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT "
            "NULL, updated_at TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS scenario_establishments (id INTEGER PRIMARY KEY, scenario_id INTEGER NOT NULL, "
            "sector TEXT NOT NULL, typology TEXT NOT NULL, name TEXT, lon REAL NOT NULL, lat REAL NOT NULL, "
            "circuit_code TEXT);");
        if (!db.has_column("scenario_establishments", "geom"))
            dialect::add_geometry(db, "scenario_establishments", "POINT", false, false);
        db.exec(
            "CREATE TABLE IF NOT EXISTS scenario_edits (id INTEGER PRIMARY KEY, scenario_id INTEGER NOT NULL, action "
            "TEXT NOT NULL, establishment_id INTEGER NOT NULL, sector TEXT, typology TEXT, name TEXT, lon REAL, lat "
            "REAL, circuit_code TEXT);");
    }
    // Closures came later: a store written before them gains the table and the log's code column
    // on its first edit (older builds ignore both; schema_version stays 1).
    db.exec(
        "CREATE TABLE scenario_closures (scenario_id INTEGER NOT NULL, establishment_fid INTEGER NOT NULL, code TEXT, "
        "sector TEXT, typology TEXT, name TEXT, closed_at TEXT NOT NULL, PRIMARY KEY (scenario_id, "
        "establishment_fid))");
    if (!db.has_column("scenario_edits", "establishment_code"))
        db.exec("ALTER TABLE scenario_edits ADD COLUMN establishment_code TEXT");
    watch_new_tables(db);  // in a database: other servers hear of the edits from the first one
    t.commit();
}

// A new proposal's id: above every id stored and every id the undo log may restore, so that a
// deleted proposal's id is never given to another (whose undo would then collide with it).
std::int64_t next_proposal_id(sql::connection& db) {
    sql::statement q(db,
                     "SELECT MAX(v) + 1 FROM (SELECT coalesce(MAX(id), 0) AS v FROM scenario_establishments UNION "
                     "ALL SELECT coalesce(MAX(establishment_id), 0) FROM scenario_edits WHERE action IN ('add', "
                     "'move', 'delete')) AS ids");
    q.step();
    return q.integer(0);
}

// Inserts a proposal's row (with its id when `keep_id`, to restore a deleted one).
std::int64_t insert_proposal(sql::connection& db, const proposal_record& p, bool keep_id) {
    sql::statement q(
        db,
        "INSERT INTO scenario_establishments (id, scenario_id, sector, typology, name, lon, lat, circuit_code, geom) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, " +
            std::string(dialect::point_from_xy(db)) + ")");
    const std::int64_t id = keep_id ? p.id : next_proposal_id(db);
    q.bind(1, id);
    q.bind(2, p.scenario_id).bind(3, p.sector).bind(4, p.typology).bind(5, p.name).bind(6, p.lon).bind(7, p.lat);
    q.bind(8, p.circuit_code).bind(9, p.lon).bind(10, p.lat).run();
    return id;
}

void relocate_proposal(sql::connection& db, const proposal_record& p) {
    sql::statement(db,
                   "UPDATE scenario_establishments SET lon = ?, lat = ?, circuit_code = ?, "
                   "geom = " +
                       std::string(dialect::point_from_xy(db)) + " WHERE id = ?")
        .bind(1, p.lon)
        .bind(2, p.lat)
        .bind(3, p.circuit_code)
        .bind(4, p.lon)
        .bind(5, p.lat)
        .bind(6, p.id)
        .run();
}

void touch(sql::connection& db, std::int64_t scenario, const std::string& when) {
    sql::statement(db, "UPDATE scenarios SET updated_at = ? WHERE id = ?").bind(1, when).bind(2, scenario).run();
}

// Records an edit in the undo log with the proposal as it was before it (its whole row, so a
// delete can be restored and a move reverted), and touches the scenario.
void log_edit(sql::connection& db, const char* action, const proposal_record& before) {
    sql::statement(db,
                   "INSERT INTO scenario_edits (scenario_id, action, establishment_id, sector, typology, name, "
                   "lon, lat, circuit_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, before.scenario_id)
        .bind(2, action)
        .bind(3, before.id)
        .bind(4, before.sector)
        .bind(5, before.typology)
        .bind(6, before.name)
        .bind(7, before.lon)
        .bind(8, before.lat)
        .bind(9, before.circuit_code)
        .run();
    touch(db, before.scenario_id, now_utc());
}

bool insert_closure(sql::connection& db, const closure_record& c) {
    sql::statement(db,
                   "INSERT OR IGNORE INTO scenario_closures (scenario_id, establishment_fid, code, sector, typology, "
                   "name, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, c.scenario_id)
        .bind(2, c.fid)
        .bind(3, c.code)
        .bind(4, c.sector)
        .bind(5, c.typology)
        .bind(6, c.name)
        .bind(7, now_utc())
        .run();
    return db.changes() > 0;
}

bool delete_closure(sql::connection& db, std::int64_t scenario, std::int64_t fid) {
    sql::statement(db, "DELETE FROM scenario_closures WHERE scenario_id = ? AND establishment_fid = ?")
        .bind(1, scenario)
        .bind(2, fid)
        .run();
    return db.changes() > 0;
}

// Logs a close or reopen with the closure's whole record, so that undoing a reopen restores it.
void log_closure(sql::connection& db, const char* action, const closure_record& c) {
    sql::statement(db,
                   "INSERT INTO scenario_edits (scenario_id, action, establishment_id, sector, typology, name, "
                   "establishment_code) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, c.scenario_id)
        .bind(2, action)
        .bind(3, c.fid)
        .bind(4, c.sector)
        .bind(5, c.typology)
        .bind(6, c.name)
        .bind(7, c.code)
        .run();
    touch(db, c.scenario_id, now_utc());
}

std::optional<closure_record> find_closure(sql::connection& db, std::int64_t scenario, std::int64_t fid) {
    if (!db.has_table("scenario_closures")) return std::nullopt;
    sql::statement q(db,
                     "SELECT code, sector, typology, name FROM scenario_closures WHERE scenario_id = ? AND "
                     "establishment_fid = ?");
    q.bind(1, scenario).bind(2, fid);
    if (!q.step()) return std::nullopt;
    return closure_record{scenario, fid, q.text(0), q.text(1), q.text(2), q.text(3)};
}

}  // namespace

std::vector<scenario_record> read_scenarios(sql::connection& db) {
    std::vector<scenario_record> out;
    if (!db.has_table("scenarios")) return out;
    sql::statement q(db, "SELECT id, name, created_at, updated_at FROM scenarios ORDER BY id");
    while (q.step()) out.push_back({q.integer(0), q.text(1), q.text(2), q.text(3)});
    return out;
}

std::vector<proposal_record> read_proposals(sql::connection& db) {
    std::vector<proposal_record> out;
    if (!db.has_table("scenario_establishments")) return out;
    sql::statement q(db,
                     "SELECT id, scenario_id, sector, typology, name, lon, lat, circuit_code FROM "
                     "scenario_establishments ORDER BY id");
    while (q.step())
        out.push_back({q.integer(0), q.integer(1), q.text(2), q.text(3), q.text(4), q.real(5), q.real(6), q.text(7)});
    return out;
}

scenario_record create_scenario(sql::connection& db, const std::string& name) {
    ensure_tables(db);
    scenario_record s{0, name, now_utc(), {}};
    s.updated_at = s.created_at;
    sql::transaction t(db);
    sql::statement(db, "INSERT INTO scenarios (name, created_at, updated_at) VALUES (?, ?, ?)")
        .bind(1, name)
        .bind(2, s.created_at)
        .bind(3, s.updated_at)
        .run();
    s.id = db.last_insert_id();
    t.commit();
    return s;
}

std::string rename_scenario(sql::connection& db, std::int64_t id, const std::string& name) {
    std::string when = now_utc();
    sql::transaction t(db);
    sql::statement(db, "UPDATE scenarios SET name = ?, updated_at = ? WHERE id = ?")
        .bind(1, name)
        .bind(2, when)
        .bind(3, id)
        .run();
    t.commit();
    return when;
}

void delete_scenario(sql::connection& db, std::int64_t id) {
    if (!db.has_table("scenarios")) return;
    sql::transaction t(db);
    for (const char* table : {"scenario_edits", "scenario_establishments", "scenario_closures"})
        if (db.has_table(table))
            sql::statement(db, std::string("DELETE FROM ") + table + " WHERE scenario_id = ?").bind(1, id).run();
    sql::statement(db, "DELETE FROM scenarios WHERE id = ?").bind(1, id).run();
    t.commit();
}

proposal_record add_proposal(sql::connection& db, proposal_record p) {
    ensure_tables(db);
    sql::transaction t(db);
    p.id = insert_proposal(db, p, false);
    log_edit(db, "add", p);
    fault_point("scenario-before-commit");
    t.commit();
    return p;
}

std::vector<closure_record> read_closures(sql::connection& db) {
    std::vector<closure_record> out;
    if (!db.has_table("scenario_closures")) return out;
    sql::statement q(db,
                     "SELECT scenario_id, establishment_fid, code, sector, typology, name FROM scenario_closures "
                     "ORDER BY scenario_id, establishment_fid");
    while (q.step()) out.push_back({q.integer(0), q.integer(1), q.text(2), q.text(3), q.text(4), q.text(5)});
    return out;
}

bool close_establishment(sql::connection& db, const closure_record& c) {
    ensure_tables(db);
    sql::transaction t(db);
    if (!insert_closure(db, c)) return false;
    log_closure(db, "close", c);
    fault_point("scenario-before-commit");
    t.commit();
    return true;
}

bool reopen_establishment(sql::connection& db, std::int64_t scenario, std::int64_t fid) {
    std::optional<closure_record> c = find_closure(db, scenario, fid);
    if (!c) return false;
    ensure_tables(db);  // the log's code column
    sql::transaction t(db);
    delete_closure(db, scenario, fid);
    log_closure(db, "reopen", *c);
    t.commit();
    return true;
}

void move_proposal(sql::connection& db, const proposal_record& before, const proposal_record& after) {
    sql::transaction t(db);
    relocate_proposal(db, after);
    log_edit(db, "move", before);
    t.commit();
}

void delete_proposal(sql::connection& db, const proposal_record& p) {
    sql::transaction t(db);
    sql::statement(db, "DELETE FROM scenario_establishments WHERE id = ?").bind(1, p.id).run();
    log_edit(db, "delete", p);
    t.commit();
}

std::optional<undone_edit> undo_last_edit(sql::connection& db, std::int64_t scenario) {
    if (!db.has_table("scenario_edits")) return std::nullopt;
    const bool closures = db.has_column("scenario_edits", "establishment_code");
    sql::statement last(db, std::string("SELECT id, action, establishment_id, sector, typology, name, lon, lat, "
                                        "circuit_code, ") +
                                (closures ? "establishment_code" : "NULL") +
                                " FROM scenario_edits WHERE scenario_id = ? ORDER BY id DESC LIMIT 1");
    last.bind(1, scenario);
    if (!last.step()) return std::nullopt;
    std::int64_t edit = last.integer(0);
    std::string action = last.text(1);
    undone_edit out;
    out.action = action == "add"      ? edit_action::add
                 : action == "move"   ? edit_action::move
                 : action == "close"  ? edit_action::close
                 : action == "reopen" ? edit_action::reopen
                                      : edit_action::remove;
    if (out.action == edit_action::close || out.action == edit_action::reopen)
        out.closure = {scenario, last.integer(2), last.text(9), last.text(3), last.text(4), last.text(5)};
    else
        out.proposal = {last.integer(2), scenario,     last.text(3), last.text(4),
                        last.text(5),    last.real(6), last.real(7), last.text(8)};
    last.reset();
    sql::transaction t(db);
    switch (out.action) {
        case edit_action::add:
            sql::statement(db, "DELETE FROM scenario_establishments WHERE id = ?").bind(1, out.proposal.id).run();
            break;
        case edit_action::move:
            relocate_proposal(db, out.proposal);
            break;
        case edit_action::remove:
            insert_proposal(db, out.proposal, true);
            break;
        case edit_action::close:
            delete_closure(db, scenario, out.closure.fid);
            break;
        case edit_action::reopen:
            insert_closure(db, out.closure);
            break;
    }
    sql::statement(db, "DELETE FROM scenario_edits WHERE id = ?").bind(1, edit).run();
    touch(db, scenario, now_utc());
    t.commit();
    return out;
}

}  // namespace microplan::geo::store::spatialite
