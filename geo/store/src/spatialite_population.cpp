#include <nlohmann/json.hpp>

#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

void write_population(sql::connection& db, const population_record& what, const population_values& values,
                      const import_record& record, const findings& report) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS population (level TEXT NOT NULL, code TEXT NOT NULL, year INTEGER NOT NULL,"
        " band TEXT NOT NULL, value REAL NOT NULL, method TEXT NOT NULL, source TEXT NOT NULL,"
        " PRIMARY KEY (level, code, year, band))");
    // One delete for every band written: the key (level, code, year, band) does not index by
    // year and band, so a delete per band would scan the level's rows once per band.
    nlohmann::json bands = nlohmann::json::array();
    for (const auto& entry : values) bands.push_back(entry.first);
    sql::statement del(db, dialect::postgres(db) ? "DELETE FROM population WHERE level = ? AND year = ? AND band IN "
                                                   "(SELECT json_array_elements_text(CAST(? AS json)))"
                                                 : "DELETE FROM population WHERE level = ? AND year = ? AND band IN "
                                                   "(SELECT value FROM json_each(?))");
    del.bind(1, level_name(what.lvl)).bind(2, what.year).bind(3, bands.dump()).run();
    sql::statement ins(
        db, "INSERT INTO population (level, code, year, band, value, method, source) VALUES (?,?,?,?,?,?,?)");
    std::size_t n = 0;
    for (const auto& [band, by_code] : values) {
        for (const auto& [code, value] : by_code) {
            ins.bind(1, level_name(what.lvl)).bind(2, code).bind(3, what.year).bind(4, band).bind(5, value);
            ins.bind(6, what.method).bind(7, what.source).run();
            ++n;
        }
    }
    record_import(db, "population:" + std::string(level_name(what.lvl)), record, n, report);
}

population_values read_population(sql::connection& db, level lvl, std::optional<int> year) {
    population_values out;
    if (!db.has_table("population")) return out;
    if (!year) {
        auto years = population_years(db, lvl);
        if (years.empty()) return out;
        year = years.back();
    }
    sql::statement q(db, "SELECT band, code, value FROM population WHERE level = ? AND year = ?");
    q.bind(1, level_name(lvl)).bind(2, *year);
    while (q.step()) out[q.text(0)][q.text(1)] = q.real(2);
    return out;
}

std::vector<int> population_years(sql::connection& db, level lvl) {
    std::vector<int> out;
    if (!db.has_table("population")) return out;
    sql::statement q(db, "SELECT DISTINCT year FROM population WHERE level = ? ORDER BY year");
    q.bind(1, level_name(lvl));
    while (q.step()) out.push_back(static_cast<int>(q.integer(0)));
    return out;
}

std::optional<int> base_population_year(sql::connection& db) {
    if (!db.has_table("population")) return std::nullopt;
    sql::statement q(db, "SELECT MAX(year) FROM population WHERE method <> 'projection'");
    if (q.step() && !q.is_null(0)) return static_cast<int>(q.integer(0));
    sql::statement any(db, "SELECT MIN(year) FROM population");
    if (any.step() && !any.is_null(0)) return static_cast<int>(any.integer(0));
    return std::nullopt;
}

}  // namespace microplan::geo::store::spatialite
