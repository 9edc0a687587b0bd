#include "microplan/service/scenarios.hpp"

#include <ctime>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/service/error_response.hpp"

namespace microplan::service {

namespace {

using geo::sqlite::connection;
using geo::sqlite::statement;
using geo::sqlite::transaction;

// Inserts a proposal's row (with its id when `keep_id`, to restore a deleted one).
std::int64_t insert_proposal(connection& db, std::int64_t scenario, const proposed_establishment& p, bool keep_id) {
    statement q(
        db,
        "INSERT INTO scenario_establishments (id, scenario_id, sector, typology, name, lon, lat, circuit_code, geom) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326))");
    if (keep_id)
        q.bind(1, p.id);
    else
        q.bind_null(1);
    q.bind(2, scenario).bind(3, p.sector).bind(4, p.typology).bind(5, p.name).bind(6, p.lon).bind(7, p.lat);
    q.bind(8, p.circuit_code).bind(9, p.lon).bind(10, p.lat).run();
    return sqlite3_last_insert_rowid(db.handle());
}

void relocate_proposal(connection& db, const proposed_establishment& p) {
    statement(db,
              "UPDATE scenario_establishments SET lon = ?, lat = ?, circuit_code = ?, geom = MakePoint(?, ?, 4326) "
              "WHERE id = ?")
        .bind(1, p.lon)
        .bind(2, p.lat)
        .bind(3, p.circuit_code)
        .bind(4, p.lon)
        .bind(5, p.lat)
        .bind(6, p.id)
        .run();
}

// Records an edit in the undo log with the proposal as it was before it (its whole row, so
// a delete can be restored and a move reverted), and touches the scenario.
void log_edit(connection& db, std::int64_t scenario, const char* action, const proposed_establishment& before) {
    statement(db,
              "INSERT INTO scenario_edits (scenario_id, action, establishment_id, sector, typology, name, lon, lat, "
              "circuit_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, scenario)
        .bind(2, action)
        .bind(3, before.id)
        .bind(4, before.sector)
        .bind(5, before.typology)
        .bind(6, before.name)
        .bind(7, before.lon)
        .bind(8, before.lat)
        .bind(9, before.circuit_code)
        .run();
    statement(db, "UPDATE scenarios SET updated_at = ? WHERE id = ?")
        .bind(1, geo::store::now_utc())
        .bind(2, scenario)
        .run();
}

[[noreturn]] void unprocessable(const std::string& message) { throw request_error(422, "InvalidData", message); }

std::string circuit_code_of(const geo::coverage_model& m, const std::vector<int>& units) {
    std::size_t tier = m.where().tier_count() - 1;
    return units[tier] >= 0 ? m.where().units(tier)[static_cast<std::size_t>(units[tier])].code : std::string();
}

}  // namespace

scenario_book::scenario_book(std::string store_path, std::function<void()> on_written)
    : store_path_(std::move(store_path)), on_written_(std::move(on_written)) {}

std::shared_ptr<const snapshot> scenario_book::baseline() const {
    std::lock_guard lock(mutex_);
    return baseline_;
}

scenario_book::scenario& scenario_book::find(std::int64_t id) {
    auto it = scenarios_.find(id);
    if (it == scenarios_.end()) throw request_error(404, "NotFound", "no scenario " + std::to_string(id));
    if (!it->second.model)
        throw request_error(
            404, "NotAvailable",
            "scenarios need the planning model: " + (baseline_ ? baseline_->planning_unavailable() : ""));
    return it->second;
}
const scenario_book::scenario& scenario_book::find(std::int64_t id) const {
    return const_cast<scenario_book*>(this)->find(id);
}

geo::placed_establishment scenario_book::place(const proposed_establishment& p) const {
    geo::placed_establishment e;
    e.id = "P" + std::to_string(p.id);
    e.sector = p.sector;
    e.typology = p.typology;
    e.condition = "good";
    e.status = "existing";  // counted as if built: the scenario asks "what if it existed"
    auto units = baseline_->locate(p.lon, p.lat);
    if (units) e.units = *units;
    return e;
}

void scenario_book::count(scenario& s, const proposed_establishment& p) {
    geo::placed_establishment e = place(p);
    if (e.units.empty()) return;  // outside every circuit (the boundaries changed): not counted
    s.handles[p.id] = s.model->add(std::move(e));
}

void scenario_book::rebase(std::shared_ptr<const snapshot> next) {
    std::lock_guard lock(mutex_);
    baseline_ = std::move(next);
    scenarios_.clear();
    connection db(store_path_, connection::mode::read_only);
    if (!db.has_table("scenarios")) return;
    statement q(db, "SELECT id, name, created_at, updated_at FROM scenarios ORDER BY id");
    while (q.step()) {
        scenario s;
        s.info = {q.integer(0), q.text(1), q.text(2), q.text(3), 0};
        if (baseline_->model()) s.model = std::make_unique<geo::coverage_model>(*baseline_->model());
        scenarios_.emplace(s.info.id, std::move(s));
    }
    statement e(db,
                "SELECT id, scenario_id, sector, typology, name, lon, lat, circuit_code FROM scenario_establishments "
                "ORDER BY id");
    while (e.step()) {
        auto it = scenarios_.find(e.integer(1));
        if (it == scenarios_.end()) continue;
        proposed_establishment p{e.integer(0), e.text(2), e.text(3), e.text(4), e.real(5), e.real(6), e.text(7)};
        it->second.proposals[p.id] = p;
        ++it->second.info.establishments;
        if (it->second.model) count(it->second, p);
    }
}

void scenario_book::ensure_tables() {
    connection db(store_path_, connection::mode::read_write);
    if (db.has_table("scenario_edits")) return;
    transaction t(db);
    db.exec(
        "CREATE TABLE IF NOT EXISTS scenarios (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS scenario_establishments (id INTEGER PRIMARY KEY, scenario_id INTEGER NOT NULL, "
        "sector TEXT NOT NULL, typology TEXT NOT NULL, name TEXT, lon REAL NOT NULL, lat REAL NOT NULL, circuit_code "
        "TEXT);"
        "SELECT AddGeometryColumn('scenario_establishments', 'geom', 4326, 'POINT', 'XY');"
        "CREATE TABLE IF NOT EXISTS scenario_edits (id INTEGER PRIMARY KEY, scenario_id INTEGER NOT NULL, action TEXT "
        "NOT "
        "NULL, establishment_id INTEGER NOT NULL, sector TEXT, typology TEXT, name TEXT, lon REAL, lat REAL, "
        "circuit_code TEXT);");
    t.commit();
}

std::map<std::int64_t, proposed_establishment>::iterator scenario_book::proposal(scenario& s,
                                                                                 std::int64_t establishment) {
    auto it = s.proposals.find(establishment);
    if (it == s.proposals.end())
        throw request_error(
            404, "NotFound",
            "scenario " + std::to_string(s.info.id) + " has no establishment " + std::to_string(establishment));
    return it;
}

void scenario_book::touch(std::int64_t id) {
    auto it = scenarios_.find(id);
    if (it != scenarios_.end()) it->second.info.updated_at = geo::store::now_utc();
}

std::vector<scenario_summary> scenario_book::list() const {
    std::lock_guard lock(mutex_);
    std::vector<scenario_summary> out;
    for (const auto& [id, s] : scenarios_) out.push_back(s.info);
    return out;
}

scenario_summary scenario_book::summary(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    return find(id).info;
}

std::vector<proposed_establishment> scenario_book::establishments(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    std::vector<proposed_establishment> out;
    for (const auto& [pid, p] : find(id).proposals) out.push_back(p);
    return out;
}

scenario_summary scenario_book::create(const std::string& name) {
    std::lock_guard lock(mutex_);
    if (!baseline_ || !baseline_->model())
        throw request_error(
            404, "NotAvailable",
            "scenarios need the planning model: " + (baseline_ ? baseline_->planning_unavailable() : ""));
    if (name.empty() || name.size() > 200) unprocessable("a scenario needs a name of 1 to 200 characters");
    ensure_tables();
    scenario s;
    s.info.name = name;
    s.info.created_at = s.info.updated_at = geo::store::now_utc();
    {
        connection db(store_path_, connection::mode::read_write);
        transaction t(db);
        statement(db, "INSERT INTO scenarios (name, created_at, updated_at) VALUES (?, ?, ?)")
            .bind(1, name)
            .bind(2, s.info.created_at)
            .bind(3, s.info.updated_at)
            .run();
        s.info.id = sqlite3_last_insert_rowid(db.handle());
        t.commit();
    }
    if (on_written_) on_written_();
    s.model = std::make_unique<geo::coverage_model>(*baseline_->model());
    scenario_summary out = s.info;
    scenarios_.emplace(out.id, std::move(s));
    return out;
}

scenario_summary scenario_book::rename(std::int64_t id, const std::string& name) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    if (name.empty() || name.size() > 200) unprocessable("a scenario needs a name of 1 to 200 characters");
    {
        connection db(store_path_, connection::mode::read_write);
        transaction t(db);
        statement(db, "UPDATE scenarios SET name = ?, updated_at = ? WHERE id = ?")
            .bind(1, name)
            .bind(2, geo::store::now_utc())
            .bind(3, id)
            .run();
        t.commit();
    }
    if (on_written_) on_written_();
    s.info.name = name;
    touch(id);
    return s.info;
}

void scenario_book::remove(std::int64_t id) {
    std::lock_guard lock(mutex_);
    if (scenarios_.find(id) == scenarios_.end())
        throw request_error(404, "NotFound", "no scenario " + std::to_string(id));
    {
        connection db(store_path_, connection::mode::read_write);
        transaction t(db);
        for (const char* table : {"scenario_edits", "scenario_establishments"})
            statement(db, std::string("DELETE FROM ") + table + " WHERE scenario_id = ?").bind(1, id).run();
        statement(db, "DELETE FROM scenarios WHERE id = ?").bind(1, id).run();
        t.commit();
    }
    if (on_written_) on_written_();
    scenarios_.erase(id);
}

proposed_establishment scenario_book::add(std::int64_t id, const std::string& sector, const std::string& typology,
                                          const std::string& name, double lon, double lat) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    const auto& catalogue = s.model->catalogue();
    if (!catalogue.governing(sector, typology)) {
        std::string known;
        for (const auto& st : catalogue.items)
            if (st.sector == sector && st.typology != "*") known += (known.empty() ? "" : ", ") + st.typology;
        unprocessable("no standard in force for sector '" + sector + "', typology '" + typology + "'" +
                      (known.empty() ? std::string(" (unknown sector)") : "; typologies of the sector: " + known));
    }
    auto units = baseline_->locate(lon, lat);
    if (!units)
        unprocessable("the point (" + std::to_string(lon) + ", " + std::to_string(lat) +
                      ") lies in no circuit of the store");
    proposed_establishment p{0, sector, typology, name.substr(0, 200), lon, lat, circuit_code_of(*s.model, *units)};
    {
        connection db(store_path_, connection::mode::read_write);
        transaction t(db);
        p.id = insert_proposal(db, id, p, false);
        log_edit(db, id, "add", p);
        geo::store::fault_point("scenario-before-commit");
        t.commit();
    }
    if (on_written_) on_written_();
    s.proposals[p.id] = p;
    ++s.info.establishments;
    count(s, p);
    touch(id);
    return p;
}

proposed_establishment scenario_book::move(std::int64_t id, std::int64_t establishment, double lon, double lat) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    auto it = proposal(s, establishment);
    auto units = baseline_->locate(lon, lat);
    if (!units)
        unprocessable("the point (" + std::to_string(lon) + ", " + std::to_string(lat) +
                      ") lies in no circuit of the store");
    proposed_establishment before = it->second;
    proposed_establishment after = before;
    after.lon = lon, after.lat = lat, after.circuit_code = circuit_code_of(*s.model, *units);
    {
        connection db(store_path_, connection::mode::read_write);
        transaction t(db);
        relocate_proposal(db, after);
        log_edit(db, id, "move", before);
        t.commit();
    }
    if (on_written_) on_written_();
    it->second = after;
    if (auto h = s.handles.find(establishment); h != s.handles.end())
        s.model->move(h->second, *units);
    else
        count(s, after);
    touch(id);
    return after;
}

void scenario_book::remove_establishment(std::int64_t id, std::int64_t establishment) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    auto it = proposal(s, establishment);
    const proposed_establishment& p = it->second;
    {
        connection db(store_path_, connection::mode::read_write);
        transaction t(db);
        statement(db, "DELETE FROM scenario_establishments WHERE id = ?").bind(1, establishment).run();
        log_edit(db, id, "delete", p);
        t.commit();
    }
    if (on_written_) on_written_();
    if (auto h = s.handles.find(establishment); h != s.handles.end()) {
        s.model->remove(h->second);
        s.handles.erase(h);
    }
    s.proposals.erase(it);
    --s.info.establishments;
    touch(id);
}

bool scenario_book::undo(std::int64_t id) {
    std::lock_guard lock(mutex_);
    scenario& s = find(id);
    connection db(store_path_, connection::mode::read_write);
    if (!db.has_table("scenario_edits")) return false;
    statement last(
        db,
        "SELECT id, action, establishment_id, sector, typology, name, lon, lat, circuit_code FROM scenario_edits "
        "WHERE scenario_id = ? ORDER BY id DESC LIMIT 1");
    last.bind(1, id);
    if (!last.step()) return false;
    std::int64_t edit = last.integer(0), eid = last.integer(2);
    std::string action = last.text(1);
    proposed_establishment saved{eid,          last.text(3), last.text(4), last.text(5),
                                 last.real(6), last.real(7), last.text(8)};
    last.reset();
    {
        transaction t(db);
        if (action == "add") {
            statement(db, "DELETE FROM scenario_establishments WHERE id = ?").bind(1, eid).run();
        } else if (action == "move") {
            relocate_proposal(db, saved);
        } else {
            insert_proposal(db, id, saved, true);
        }
        statement(db, "DELETE FROM scenario_edits WHERE id = ?").bind(1, edit).run();
        statement(db, "UPDATE scenarios SET updated_at = ? WHERE id = ?")
            .bind(1, geo::store::now_utc())
            .bind(2, id)
            .run();
        t.commit();
    }
    if (on_written_) on_written_();
    auto drop = [&](std::int64_t pid) {
        if (auto h = s.handles.find(pid); h != s.handles.end()) {
            s.model->remove(h->second);
            s.handles.erase(h);
        }
    };
    if (action == "add") {
        drop(eid);
        s.proposals.erase(eid);
        --s.info.establishments;
    } else if (action == "move") {
        proposed_establishment& p = s.proposals[eid];
        p.lon = saved.lon, p.lat = saved.lat, p.circuit_code = saved.circuit_code;
        drop(eid);
        count(s, p);
    } else {
        s.proposals[eid] = saved;
        ++s.info.establishments;
        count(s, saved);
    }
    touch(id);
    return true;
}

}  // namespace microplan::service
