// Scorecards (docs/store.md): table `scorecards`, one row per row of the imported table, its
// scope in columns and the rest (objective, links, initiatives, indicator and target) as JSON.
#include <nlohmann/json.hpp>

#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

namespace {

nlohmann::json goal_json(const target& g) {
    nlohmann::json j = {{"indicator", g.indicator},
                        {"sector", g.sector},
                        {"level", level_name(g.lvl)},
                        {"year", g.year},
                        {"value", g.value},
                        {"direction", direction_name(g.direction)},
                        {"not_applicable", g.not_applicable},
                        {"observed", g.observed}};
    if (g.reference) j["reference"] = *g.reference;
    if (g.share_of_units) j["share_of_units"] = *g.share_of_units;
    return j;
}

target goal_of(const nlohmann::json& j, long long line) {
    target g;
    g.line = line;
    g.indicator = j.value("indicator", "");
    g.sector = j.value("sector", "");
    g.lvl = parse_level(j.value("level", "district")).value_or(level::district);
    g.year = j.value("year", 0);
    g.value = j.value("value", 0.0);
    const std::string d = j.value("direction", "at_least");
    for (auto dir : {target_direction::at_least, target_direction::at_most, target_direction::maintain,
                     target_direction::increase_pct})
        if (d == direction_name(dir)) g.direction = dir;
    g.not_applicable = j.value("not_applicable", "");
    g.observed = j.value("observed", false);
    if (j.contains("reference")) g.reference = j["reference"].get<double>();
    if (j.contains("share_of_units")) g.share_of_units = j["share_of_units"].get<double>();
    return g;
}

}  // namespace

void write_scorecards(sql::connection& db, const scorecards_table& table) {
    db.exec(
        "DROP TABLE IF EXISTS scorecards;"
        "CREATE TABLE scorecards (line INTEGER NOT NULL, level TEXT NOT NULL, code TEXT NOT NULL, organisation TEXT "
        "NOT NULL, objective TEXT NOT NULL, perspective TEXT NOT NULL, definition TEXT NOT NULL, source TEXT)");
    sql::statement ins(db, "INSERT INTO scorecards VALUES (?,?,?,?,?,?,?,?)");
    for (const scorecard_row& r : table.rows) {
        nlohmann::json d = {{"name", r.name},
                            {"contributes_to", r.causes},
                            {"cascades_from", r.cascades_from},
                            {"initiatives", r.initiatives}};
        if (r.goal) d["goal"] = goal_json(*r.goal);
        ins.bind(1, static_cast<std::int64_t>(r.line))
            .bind(2, level_name(r.lvl))
            .bind(3, r.code)
            .bind(4, r.organisation)
            .bind(5, r.objective)
            .bind(6, perspective_name(r.view))
            .bind(7, d.dump())
            .bind(8, table.source)
            .run();
    }
}

std::optional<scorecards_table> read_scorecards(sql::connection& db) {
    if (!db.has_table("scorecards")) return std::nullopt;
    scorecards_table out;
    sql::statement q(db,
                     "SELECT line, level, code, organisation, objective, perspective, definition, source FROM "
                     "scorecards ORDER BY rowid");
    while (q.step()) {
        scorecard_row r;
        r.line = q.integer(0);
        r.lvl = parse_level(q.text(1)).value_or(level::zone);
        r.code = q.text(2);
        r.organisation = q.text(3);
        r.objective = q.text(4);
        for (auto p : {perspective::beneficiaries, perspective::processes, perspective::capacity, perspective::finance})
            if (q.text(5) == perspective_name(p)) r.view = p;
        const nlohmann::json d = nlohmann::json::parse(q.text(6), nullptr, false);
        if (d.is_object()) {
            r.name = d.value("name", "");
            r.causes = d.value("contributes_to", std::vector<std::string>{});
            r.cascades_from = d.value("cascades_from", "");
            r.initiatives = d.value("initiatives", std::vector<std::string>{});
            if (d.contains("goal")) r.goal = goal_of(d["goal"], r.line);
        }
        out.source = q.text(7);
        out.rows.push_back(std::move(r));
    }
    return out;
}

}  // namespace microplan::geo::store::spatialite
