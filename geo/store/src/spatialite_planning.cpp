#include <algorithm>
#include <cmath>
#include <set>

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/planning/report.hpp"
#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

namespace {

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
}

std::string factors_text(const std::vector<endogenous_factor>& factors) {
    std::string out;
    for (const auto& f : factors) {
        char w[32];
        std::snprintf(w, sizeof w, "%g", f.weight);
        out += (out.empty() ? "" : ";") + f.attribute + "=" + w;
    }
    return out;
}

void bind_optional(sql::statement& st, int i, const std::optional<double>& v) {
    if (v)
        st.bind(i, *v);
    else
        st.bind_null(i);
}

}  // namespace

void write_standards(sql::connection& db, const standards_catalogue& c) {
    findings problems = check_standards(c, read_sectors(db).value_or(builtin_sectors()));
    if (problems.has_errors()) {
        std::string detail;
        for (const auto& f : problems.items) detail += "\n  " + f.message;
        throw format_error({c.source, {}, {}, {}, {}}, "invalid standards catalogue", detail);
    }
    db.exec("DROP TABLE IF EXISTS standards");
    db.exec(
        "CREATE TABLE standards (line INTEGER NOT NULL, sector TEXT NOT NULL, typology TEXT NOT NULL, level TEXT NOT "
        "NULL,"
        " rule TEXT NOT NULL, people_per_unit REAL, units_per_territory REAL, target_group TEXT NOT NULL,"
        " capacity REAL, max_travel_min REAL, max_distance_km REAL, investment_cost REAL NOT NULL,"
        " recurrent_cost REAL NOT NULL, priority REAL NOT NULL, rounding TEXT NOT NULL, factors TEXT, note TEXT,"
        " source TEXT, staff REAL NOT NULL DEFAULT 0, salary REAL NOT NULL DEFAULT 0, rehabilitation_cost REAL,"
        " expansion_cost REAL NOT NULL DEFAULT 0, expansion_limit REAL NOT NULL DEFAULT 0,"
        " minimum_people_per_unit REAL NOT NULL DEFAULT 0, target_pct REAL NOT NULL DEFAULT 100,"
        " PRIMARY KEY (sector, typology))");
    sql::statement ins(db, "INSERT INTO standards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& s : c.items) {
        ins.bind(1, static_cast<std::int64_t>(s.line))
            .bind(2, s.sector)
            .bind(3, s.typology)
            .bind(4, level_name(s.lvl))
            .bind(5, rule_name(s.rule))
            .bind(6, s.people_per_unit)
            .bind(7, s.units_per_territory)
            .bind(8, join(s.target_bands, ";"))
            .bind(9, s.capacity);
        bind_optional(ins, 10, s.max_travel_min);
        bind_optional(ins, 11, s.max_distance_km);
        ins.bind(12, s.investment_cost)
            .bind(13, s.recurrent_cost)
            .bind(14, s.priority)
            .bind(15, rounding_name(s.rounding))
            .bind(16, factors_text(s.factors))
            .bind(17, s.note)
            .bind(18, c.source)
            .bind(19, s.staff)
            .bind(20, s.salary);
        bind_optional(ins, 21, s.rehabilitation_cost);
        ins.bind(22, s.expansion_cost)
            .bind(23, s.expansion_limit)
            .bind(24, s.minimum_people_per_unit)
            .bind(25, s.target_pct);
        ins.run();
    }
}

std::optional<standards_catalogue> read_standards(sql::connection& db) {
    if (!db.has_table("standards")) return std::nullopt;
    // Catalogues stored before staff was planned have no staff or salary: 0, staff not planned.
    const bool with_staff = db.has_column("standards", "staff");
    const bool with_rehabilitation = db.has_column("standards", "rehabilitation_cost");
    // and before expansion and minimum tiers: none.
    const bool with_expansion = db.has_column("standards", "expansion_cost");
    const bool with_target = db.has_column("standards", "target_pct");
    sql::statement q(db,
                     std::string("SELECT line, sector, typology, level, rule, people_per_unit, units_per_territory,"
                                 " target_group, capacity, max_travel_min, max_distance_km, investment_cost,"
                                 " recurrent_cost, priority, rounding, factors, note, source, ") +
                         (with_staff ? "staff, salary, " : "0, 0, ") +
                         (with_rehabilitation ? "rehabilitation_cost, " : "NULL, ") +
                         (with_expansion ? "expansion_cost, expansion_limit, minimum_people_per_unit, " : "0, 0, 0, ") +
                         (with_target ? "target_pct" : "100") + " FROM standards ORDER BY line");
    standards_catalogue c;
    while (q.step()) {
        standard s;
        s.line = q.integer(0);
        s.sector = q.text(1);
        s.typology = q.text(2);
        s.lvl = parse_level(q.text(3)).value_or(level::circuit);
        const std::string rule = q.text(4);
        s.rule = rule == "per_unit"     ? standard_rule::per_unit
                 : rule == "households" ? standard_rule::households
                                        : standard_rule::population;
        s.people_per_unit = q.real(5);
        s.units_per_territory = q.real(6);
        s.target_bands.clear();
        std::string bands = q.text(7);  // stored joined with ';' ("65+" keeps its plus)
        std::size_t from = 0;
        while (from <= bands.size()) {
            std::size_t to = std::min(bands.find(';', from), bands.size());
            if (to > from) s.target_bands.push_back(bands.substr(from, to - from));
            from = to + 1;
        }
        s.capacity = q.real(8);
        if (!q.is_null(9)) s.max_travel_min = q.real(9);
        if (!q.is_null(10)) s.max_distance_km = q.real(10);
        s.investment_cost = q.real(11);
        s.recurrent_cost = q.real(12);
        s.priority = q.real(13);
        std::string r = q.text(14);
        s.rounding = r == "round" ? rounding_rule::round : r == "floor" ? rounding_rule::floor : rounding_rule::ceil;
        std::string f = q.text(15);
        std::size_t start = 0;
        while (start < f.size()) {
            std::size_t end = f.find(';', start);
            if (end == std::string::npos) end = f.size();
            std::string item = f.substr(start, end - start);
            auto eq = item.find('=');
            if (eq != std::string::npos) s.factors.push_back({item.substr(0, eq), std::stod(item.substr(eq + 1))});
            start = end + 1;
        }
        s.note = q.text(16);
        c.source = q.text(17);
        s.staff = q.real(18);
        s.salary = q.real(19);
        if (!q.is_null(20)) s.rehabilitation_cost = q.real(20);
        s.expansion_cost = q.real(21);
        s.expansion_limit = q.real(22);
        s.minimum_people_per_unit = q.real(23);
        s.target_pct = q.real(24);
        c.items.push_back(std::move(s));
    }
    if (c.items.empty()) return std::nullopt;
    return c;
}

void write_sectors(sql::connection& db, const sectors_catalogue& table) {
    findings problems = check_sectors(table);
    if (problems.has_errors()) {
        std::string detail;
        for (const auto& f : problems.items) detail += "\n  " + f.message;
        throw format_error({table.source, {}, {}, {}, {}}, "invalid sectors table", "problems:" + detail);
    }
    db.exec("DROP TABLE IF EXISTS sectors");
    db.exec(
        "CREATE TABLE sectors (position INTEGER NOT NULL, sector TEXT PRIMARY KEY, label_es TEXT NOT NULL, label_en "
        "TEXT, kind TEXT NOT NULL, deconcentration INTEGER, levels TEXT NOT NULL, note TEXT, line INTEGER, source "
        "TEXT)");
    sql::statement ins(db, "INSERT INTO sectors VALUES (?,?,?,?,?,?,?,?,?,?)");
    std::int64_t position = 0;
    for (const auto& s : table.items) {
        std::string levels;
        for (level l : s.levels) levels += (levels.empty() ? "" : ";") + std::string(level_name(l));
        ins.bind(1, position++).bind(2, s.id).bind(3, s.label_es).bind(4, s.label_en).bind(5, kind_name(s.kind));
        if (s.deconcentration > 0)
            ins.bind(6, static_cast<std::int64_t>(s.deconcentration));
        else
            ins.bind_null(6);
        ins.bind(7, levels).bind(8, s.note).bind(9, static_cast<std::int64_t>(s.line)).bind(10, table.source).run();
    }
}

std::optional<sectors_catalogue> read_sectors(sql::connection& db) {
    if (!db.has_table("sectors")) return std::nullopt;
    sql::statement q(db,
                     "SELECT sector, label_es, label_en, kind, deconcentration, levels, note, line, source FROM "
                     "sectors ORDER BY position");
    sectors_catalogue out;
    while (q.step()) {
        sector_def s;
        s.id = q.text(0);
        s.label_es = q.text(1);
        s.label_en = q.text(2);
        s.kind = q.text(3) == "network" ? sector_kind::network : sector_kind::establishment;
        s.deconcentration = q.is_null(4) ? 0 : static_cast<int>(q.integer(4));
        s.levels = parse_levels(q.text(5));
        s.note = q.text(6);
        s.line = q.integer(7);
        out.source = q.text(8);
        out.items.push_back(std::move(s));
    }
    if (out.items.empty()) return std::nullopt;
    return out;
}

void write_budget_scenarios(sql::connection& db, const budget_scenarios& table) {
    auto problems = check_budget_scenarios(table);
    if (!problems.empty()) {
        std::string detail;
        for (const auto& p : problems) detail += "\n  " + p;
        throw format_error({table.source, {}, {}, {}, {}}, "invalid scenarios table", "problems:" + detail);
    }
    db.exec("DROP TABLE IF EXISTS budget_scenarios");
    db.exec(
        "CREATE TABLE budget_scenarios (position INTEGER NOT NULL, name TEXT PRIMARY KEY, label_es TEXT, gdp_year "
        "INTEGER NOT NULL, gdp_usd REAL NOT NULL, gdp_growth REAL NOT NULL, budget_pct_gdp REAL NOT NULL, note TEXT, "
        "source TEXT)");
    sql::statement ins(db, "INSERT INTO budget_scenarios VALUES (?,?,?,?,?,?,?,?,?)");
    std::int64_t position = 0;
    for (const auto& r : table.rows)
        ins.bind(1, position++)
            .bind(2, r.scenario.name)
            .bind(3, r.label_es)
            .bind(4, static_cast<std::int64_t>(r.scenario.gdp_year))
            .bind(5, r.scenario.gdp)
            .bind(6, r.scenario.gdp_growth)
            .bind(7, r.budget_pct_gdp)
            .bind(8, r.note)
            .bind(9, table.source)
            .run();
}

std::optional<budget_scenarios> read_budget_scenarios(sql::connection& db) {
    if (!db.has_table("budget_scenarios")) return std::nullopt;
    sql::statement q(db,
                     "SELECT name, label_es, gdp_year, gdp_usd, gdp_growth, budget_pct_gdp, note, source FROM "
                     "budget_scenarios ORDER BY position");
    budget_scenarios out;
    while (q.step()) {
        budget_scenario_row r;
        r.scenario.name = q.text(0);
        r.label_es = q.text(1);
        r.scenario.gdp_year = static_cast<int>(q.integer(2));
        r.scenario.gdp = q.real(3);
        r.scenario.gdp_growth = q.real(4);
        r.budget_pct_gdp = q.real(5);
        r.note = q.text(6);
        out.source = q.text(7);
        out.rows.push_back(std::move(r));
    }
    if (out.rows.empty()) return std::nullopt;
    return out;
}

// Attributes carry a period (issue 20, history): "" for a value of no date, else the year, month
// or day from which the value holds. A store written before periods keeps its table until a dated
// value arrives; the table then moves over with its values undated.
void write_attributes(sql::connection& db, level lvl, const std::string& name,
                      const std::map<std::string, double>& values, const std::string& source,
                      const std::string& period) {
    const char* create =
        "CREATE TABLE IF NOT EXISTS unit_attributes (level TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,"
        " value REAL NOT NULL, source TEXT, period TEXT NOT NULL DEFAULT '', PRIMARY KEY (level, code, name, period))";
    const bool dated_table = !db.has_table("unit_attributes") || db.has_column("unit_attributes", "period");
    if (!dated_table && !period.empty()) {
        db.exec("ALTER TABLE unit_attributes RENAME TO unit_attributes_before_periods");
        db.exec(create);
        db.exec(
            "INSERT INTO unit_attributes (level, code, name, value, source) SELECT level, code, name, value, source"
            " FROM unit_attributes_before_periods");
        db.exec("DROP TABLE unit_attributes_before_periods");
    } else if (dated_table) {
        db.exec(create);
    }
    if (!dated_table && period.empty()) {  // an older store written the way it always was
        sql::statement del(db, "DELETE FROM unit_attributes WHERE level = ? AND name = ?");
        del.bind(1, level_name(lvl)).bind(2, name).run();
        sql::statement ins(db, "INSERT INTO unit_attributes VALUES (?,?,?,?,?)");
        for (const auto& [code, v] : values)
            ins.bind(1, level_name(lvl)).bind(2, code).bind(3, name).bind(4, v).bind(5, source).run();
        return;
    }
    sql::statement del(db, "DELETE FROM unit_attributes WHERE level = ? AND name = ? AND period = ?");
    del.bind(1, level_name(lvl)).bind(2, name).bind(3, period).run();
    sql::statement ins(db,
                       "INSERT INTO unit_attributes (level, code, name, value, source, period) VALUES (?,?,?,?,?,?)");
    for (const auto& [code, v] : values)
        ins.bind(1, level_name(lvl)).bind(2, code).bind(3, name).bind(4, v).bind(5, source).bind(6, period).run();
}

unit_attributes read_attributes(sql::connection& db, level lvl, const std::string& as_of) {
    unit_attributes out;
    if (!db.has_table("unit_attributes")) return out;
    // A table written before periods reads as undated values (known on any date).
    const std::string period = db.has_column("unit_attributes", "period") ? "period" : "''";
    // In period order, so the latest period known on `as_of` is the one that stays.
    sql::statement q(db, "SELECT name, code, value, " + period + " FROM unit_attributes WHERE level = ? ORDER BY " +
                             (period == "period" ? "period" : "rowid"));
    q.bind(1, level_name(lvl));
    while (q.step())
        if (as_of.empty() || period_known(q.text(3), as_of)) out[q.text(0)][q.text(1)] = q.real(2);
    return out;
}

void write_coverage(sql::connection& db, const coverage_model& model, int year, const closing_plan* plan) {
    const char* create =
        "CREATE TABLE IF NOT EXISTS coverage (level TEXT NOT NULL, code TEXT NOT NULL, sector TEXT NOT NULL,"
        " typology TEXT NOT NULL, year INTEGER NOT NULL, population REAL, demand REAL, current REAL, ideal REAL,"
        " deficit REAL, surplus REAL, coverage_pct REAL, capacity_current REAL, capacity_ideal REAL,"
        " capacity_deficit REAL, good REAL, fair REAL, poor REAL, investment_cost REAL, recurrent_cost REAL,"
        " closing_year INTEGER, scenario TEXT NOT NULL DEFAULT '',"
        " PRIMARY KEY (level, code, sector, typology, year, scenario))";
    // Stores written before the scenario was part of the key: their rows move over, scenario ''.
    bool old_key = false;
    if (db.has_table("coverage")) old_key = !dialect::in_primary_key(db, "coverage", "scenario");
    if (old_key) {
        db.exec("ALTER TABLE coverage RENAME TO coverage_before_scenarios");
        db.exec(create);
        db.exec(
            "INSERT INTO coverage SELECT level, code, sector, typology, year, population, demand, current,"
            " ideal, deficit, surplus, coverage_pct, capacity_current, capacity_ideal, capacity_deficit, good,"
            " fair, poor, investment_cost, recurrent_cost, closing_year, COALESCE(scenario, '')"
            " FROM coverage_before_scenarios");
        db.exec("DROP TABLE coverage_before_scenarios");
    }
    db.exec(create);
    // Staff, condition, expansion and minimum tier: columns added to tables that predate them.
    static const char* const added[] = {
        "staff_current",       "staff_ideal",      "staff_deficit",  "staff_salary_cost", "rehabilitation",
        "rehabilitation_cost", "expansion_places", "expansion_cost", "minimum",           "minimum_deficit"};
    std::string columns =
        "level, code, sector, typology, year, population, demand, current, ideal, deficit, surplus, coverage_pct,"
        " capacity_current, capacity_ideal, capacity_deficit, good, fair, poor, investment_cost, recurrent_cost,"
        " closing_year, scenario";
    for (const char* c : added) {
        if (!db.has_column("coverage", c)) db.exec(std::string("ALTER TABLE coverage ADD COLUMN ") + c + " REAL");
        columns += std::string(", ") + c;
    }
    const std::string scenario = plan ? plan->scenario.name : std::string{};
    sql::statement del(db, "DELETE FROM coverage WHERE year = ? AND scenario = ?");
    del.bind(1, year).bind(2, scenario).run();
    sql::statement ins(db, "INSERT INTO coverage (" + columns +
                               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    // The nation first (code ''), then every tier.
    std::vector<level> levels{level::nation};
    for (std::size_t t = 0; t < model.where().tier_count(); ++t) levels.push_back(model.where().level_of(t));
    for (level l : levels) {
        auto rows = coverage_rows(model, {l, "", false}, plan);
        auto typ = coverage_rows(model, {l, "", true}, plan);
        rows.insert(rows.end(), typ.begin(), typ.end());
        for (const auto& r : rows) {
            const offer& o = r.values;
            ins.bind(1, level_name(r.lvl)).bind(2, r.code).bind(3, r.sector).bind(4, r.typology).bind(5, year);
            int i = 6;
            for (double v : {r.population, o.demand, o.current, o.ideal, o.deficit, o.surplus, o.coverage_pct(),
                             o.capacity_current, o.capacity_ideal, o.capacity_deficit, o.good, o.fair, o.poor,
                             o.investment, o.recurrent})
                ins.bind(i++, v);
            if (r.closing_year)
                ins.bind(21, *r.closing_year);
            else
                ins.bind_null(21);
            ins.bind(22, scenario);
            i = 23;
            for (double v : {o.staff_current, o.staff_ideal, o.staff_deficit, o.staff_cost, o.rehabilitation,
                             o.rehabilitation_cost, o.expansion, o.expansion_cost, o.minimum, o.minimum_deficit})
                ins.bind(i++, v);
            ins.run();
        }
    }
}

}  // namespace microplan::geo::store::spatialite
