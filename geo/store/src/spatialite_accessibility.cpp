#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

namespace {
void ensure_tables(sql::connection& db) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS accessibility_runs (id INTEGER PRIMARY KEY, sector TEXT NOT NULL,"
        " typology TEXT NOT NULL, measure TEXT NOT NULL, units TEXT NOT NULL, thresholds TEXT NOT NULL,"
        " establishments INTEGER NOT NULL, method TEXT NOT NULL, population_source TEXT NOT NULL,"
        " created TEXT NOT NULL)");
    db.exec(
        "CREATE TABLE IF NOT EXISTS accessibility (run_id INTEGER NOT NULL REFERENCES accessibility_runs(id),"
        " level TEXT NOT NULL, code TEXT NOT NULL, threshold REAL NOT NULL, within REAL NOT NULL,"
        " population REAL NOT NULL, pct REAL, mean REAL, median REAL, PRIMARY KEY (run_id, level, code, threshold))");
}
}  // namespace

std::int64_t write_accessibility(sql::connection& db, const accessibility_run& run) {
    ensure_tables(db);
    {
        sql::statement old(db, "SELECT id FROM accessibility_runs WHERE sector = ? AND typology = ? AND measure = ?");
        old.bind(1, run.sector).bind(2, run.typology).bind(3, run.measure);
        std::vector<std::int64_t> ids;
        while (old.step()) ids.push_back(old.integer(0));
        for (auto id : ids) {
            for (const char* extra : {"accessibility_limitations", "accessibility_surfaces"})
                if (db.has_table(extra))
                    sql::statement(db, std::string("DELETE FROM ") + extra + " WHERE run_id = ?").bind(1, id).run();
            sql::statement(db, "DELETE FROM accessibility WHERE run_id = ?").bind(1, id).run();
            sql::statement(db, "DELETE FROM accessibility_runs WHERE id = ?").bind(1, id).run();
        }
    }
    sql::statement ins(db,
                       "INSERT INTO accessibility_runs (sector, typology, measure, units, thresholds, establishments,"
                       " method, population_source, created) VALUES (?,?,?,?,?,?,?,?,?)");
    ins.bind(1, run.sector).bind(2, run.typology).bind(3, run.measure).bind(4, run.units);
    ins.bind(5, nlohmann::json(run.thresholds).dump()).bind(6, static_cast<std::int64_t>(run.establishments));
    ins.bind(7, run.method).bind(8, run.population_source).bind(9, run.created.empty() ? now_utc() : run.created).run();
    const std::int64_t id = db.last_insert_id();
    if (!run.limitations.empty()) {  // the table only exists in stores with such runs
        db.exec(
            "CREATE TABLE IF NOT EXISTS accessibility_limitations (run_id INTEGER NOT NULL REFERENCES"
            " accessibility_runs(id), limitation TEXT NOT NULL, PRIMARY KEY (run_id, limitation))");
        sql::statement lim(db, "INSERT OR IGNORE INTO accessibility_limitations (run_id, limitation) VALUES (?,?)");
        for (const auto& l : run.limitations) lim.bind(1, id).bind(2, l).run();
    }
    if (!run.surface_source.empty()) {  // as limitations: only in stores with such runs
        db.exec(
            "CREATE TABLE IF NOT EXISTS accessibility_surfaces (run_id INTEGER PRIMARY KEY REFERENCES"
            " accessibility_runs(id), source TEXT NOT NULL, moves INTEGER NOT NULL)");
        sql::statement(db, "INSERT INTO accessibility_surfaces (run_id, source, moves) VALUES (?,?,?)")
            .bind(1, id)
            .bind(2, run.surface_source)
            .bind(3, static_cast<std::int64_t>(run.moves))
            .run();
    }
    sql::statement row(db,
                       "INSERT INTO accessibility (run_id, level, code, threshold, within, population, pct, mean,"
                       " median) VALUES (?,?,?,?,?,?,?,?,?)");
    for (const auto& [lvl, units] : run.units_by_level)
        for (const auto& [code, u] : units)
            for (std::size_t t = 0; t < run.thresholds.size(); ++t) {
                row.bind(1, id).bind(2, lvl).bind(3, code).bind(4, run.thresholds[t]).bind(5, u.within[t]);
                row.bind(6, u.population);
                if (u.population > 0)
                    row.bind(7, 100.0 * u.within[t] / u.population);
                else
                    row.bind_null(7);
                if (u.mean)
                    row.bind(8, *u.mean);
                else
                    row.bind_null(8);
                if (u.median)
                    row.bind(9, *u.median);
                else
                    row.bind_null(9);
                row.run();
            }
    return id;
}

std::vector<accessibility_run> read_accessibility(sql::connection& db) {
    std::vector<accessibility_run> out;
    if (!db.has_table("accessibility_runs")) return out;
    sql::statement q(db,
                     "SELECT id, sector, typology, measure, units, thresholds, establishments, method,"
                     " population_source, created FROM accessibility_runs ORDER BY id");
    while (q.step()) {
        accessibility_run r;
        r.id = q.integer(0);
        r.sector = q.text(1), r.typology = q.text(2), r.measure = q.text(3), r.units = q.text(4);
        r.thresholds = nlohmann::json::parse(q.text(5)).get<std::vector<double>>();
        r.establishments = static_cast<std::size_t>(q.integer(6));
        r.method = q.text(7), r.population_source = q.text(8), r.created = q.text(9);
        out.push_back(std::move(r));
    }
    const bool with_limitations = db.has_table("accessibility_limitations");
    const bool with_surfaces = db.has_table("accessibility_surfaces");
    for (auto& r : out) {
        if (with_surfaces) {
            sql::statement kept(db, "SELECT source, moves FROM accessibility_surfaces WHERE run_id = ?");
            kept.bind(1, r.id);
            if (kept.step()) r.surface_source = kept.text(0), r.moves = static_cast<int>(kept.integer(1));
        }
        if (with_limitations) {
            sql::statement l(db,
                             "SELECT limitation FROM accessibility_limitations WHERE run_id = ? ORDER BY limitation");
            l.bind(1, r.id);
            while (l.step()) r.limitations.push_back(l.text(0));
        }
        sql::statement s(db,
                         "SELECT level, code, threshold, within, population, mean, median FROM accessibility"
                         " WHERE run_id = ? ORDER BY level, code, threshold");
        s.bind(1, r.id);
        while (s.step()) {
            auto& u = r.units_by_level[s.text(0)][s.text(1)];
            u.population = s.real(4);
            u.within.push_back(s.real(3));
            if (!s.is_null(5)) u.mean = s.real(5);
            if (!s.is_null(6)) u.median = s.real(6);
        }
    }
    return out;
}

}  // namespace microplan::geo::store::spatialite
