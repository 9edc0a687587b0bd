#include "microplan/geo/store/planning.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/store/population.hpp"

namespace microplan::geo::store {

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

void bind_optional(sqlite::statement& st, int i, const std::optional<double>& v) {
    if (v)
        st.bind(i, *v);
    else
        st.bind_null(i);
}

}  // namespace

void write_standards(sqlite::connection& db, const standards_catalogue& c) {
    findings problems = check_standards(c);
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
        " source TEXT, PRIMARY KEY (sector, typology))");
    sqlite::statement ins(db, "INSERT INTO standards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
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
            .bind(18, c.source);
        ins.run();
    }
}

std::optional<standards_catalogue> read_standards(sqlite::connection& db) {
    if (!db.has_table("standards")) return std::nullopt;
    sqlite::statement q(
        db,
        "SELECT line, sector, typology, level, rule, people_per_unit, units_per_territory, target_group,"
        " capacity, max_travel_min, max_distance_km, investment_cost, recurrent_cost, priority, rounding,"
        " factors, note, source FROM standards ORDER BY line");
    standards_catalogue c;
    while (q.step()) {
        standard s;
        s.line = q.integer(0);
        s.sector = q.text(1);
        s.typology = q.text(2);
        s.lvl = parse_level(q.text(3)).value_or(level::circuit);
        s.rule = q.text(4) == "per_unit" ? standard_rule::per_unit : standard_rule::population;
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
        c.items.push_back(std::move(s));
    }
    if (c.items.empty()) return std::nullopt;
    return c;
}

void write_attributes(sqlite::connection& db, level lvl, const std::string& name,
                      const std::map<std::string, double>& values, const std::string& source) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS unit_attributes (level TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,"
        " value REAL NOT NULL, source TEXT, PRIMARY KEY (level, code, name))");
    sqlite::statement del(db, "DELETE FROM unit_attributes WHERE level = ? AND name = ?");
    del.bind(1, level_name(lvl)).bind(2, name).run();
    sqlite::statement ins(db, "INSERT INTO unit_attributes VALUES (?,?,?,?,?)");
    for (const auto& [code, v] : values)
        ins.bind(1, level_name(lvl)).bind(2, code).bind(3, name).bind(4, v).bind(5, source).run();
}

unit_attributes read_attributes(sqlite::connection& db, level lvl) {
    unit_attributes out;
    if (!db.has_table("unit_attributes")) return out;
    sqlite::statement q(db, "SELECT name, code, value FROM unit_attributes WHERE level = ?");
    q.bind(1, level_name(lvl));
    while (q.step()) out[q.text(0)][q.text(1)] = q.real(2);
    return out;
}

territory read_territory(sqlite::connection& db) {
    std::vector<level> levels;
    std::vector<std::vector<territory_unit>> tiers;
    for (level l : {level::zone, level::district, level::circuit}) {
        std::string table(level_table(l));
        if (!db.has_table(table)) continue;
        sqlite::statement q(db, "SELECT code, name, parent_code, area_km2 FROM " + table + " ORDER BY fid");
        std::vector<territory_unit> units;
        while (q.step()) units.push_back({q.text(0), q.text(1), q.text(2), q.real(3)});
        if (units.empty()) continue;
        levels.push_back(l);
        tiers.push_back(std::move(units));
    }
    if (levels.empty())
        throw store_error({db.path(), {}, {}, {}, {}}, "no planning levels",
                          "the store holds no zones, districts or circuits; import or build them first "
                          "(`microplan import`, `microplan build`, or `microplan demo`)");
    return territory(std::move(levels), std::move(tiers));
}

population_by_year read_population_years(const territory& where, sqlite::connection& db) {
    population_by_year out;
    if (!db.has_table("population")) return out;
    std::vector<std::set<int>> tier_years;
    std::set<int> years;
    for (std::size_t t = 0; t < where.tier_count(); ++t) {
        auto ys = population_years(db, where.level_of(t));
        tier_years.emplace_back(ys.begin(), ys.end());
        years.insert(ys.begin(), ys.end());
    }
    for (int y : years) {
        std::vector<population_values> tiers(where.tier_count());
        for (std::size_t t = 0; t < where.tier_count(); ++t)
            if (tier_years[t].count(y)) tiers[t] = read_population(db, where.level_of(t), y);
        out.emplace(y, std::move(tiers));
    }
    return out;
}

std::vector<placed_establishment> read_placed_establishments(const territory& where, sqlite::connection& db) {
    std::vector<placed_establishment> out;
    if (!db.has_table("establishments")) return out;
    std::string cols;
    for (std::size_t t = 0; t < where.tier_count(); ++t)
        cols += ", " + std::string(level_name(where.level_of(t))) + "_code";
    sqlite::statement q(
        db, "SELECT id, sector, typology, capacity, condition, status" + cols + " FROM establishments ORDER BY fid");
    while (q.step()) {
        placed_establishment p;
        p.id = q.text(0);
        p.sector = q.text(1);
        p.typology = q.text(2);
        if (!q.is_null(3)) p.capacity = q.real(3);
        p.condition = q.text(4);
        p.status = q.text(5);
        p.units.assign(where.tier_count(), -1);
        for (std::size_t t = 0; t < where.tier_count(); ++t) {
            if (q.is_null(static_cast<int>(6 + t))) continue;
            if (auto i = where.find(t, q.text(static_cast<int>(6 + t)))) p.units[t] = static_cast<int>(*i);
        }
        out.push_back(std::move(p));
    }
    return out;
}

planning_inputs read_planning_inputs(sqlite::connection& db, const std::optional<standards_catalogue>& catalogue,
                                     std::optional<int> year) {
    error_location where{db.path(), {}, {}, {}, {}};
    std::optional<standards_catalogue> c = catalogue ? catalogue : read_standards(db);
    if (!c)
        throw store_error(where, "no standards",
                          "the store holds no standards catalogue; import one with `microplan standards import STORE "
                          "FILE` (data/standards/ has examples) or pass --standards FILE");
    planning_inputs in{std::move(*c), read_territory(db), {}, 0, {}, {}, {}};
    in.people = read_population_years(in.where, db);
    if (in.people.empty())
        throw store_error(where, "no population",
                          "the store holds no population for its planning levels; add it with `microplan population "
                          "table|raster|allocate`");
    in.year = year ? *year : base_population_year(db).value_or(in.people.begin()->first);
    for (std::size_t t = 0; t < in.where.tier_count(); ++t)
        in.attributes.push_back(read_attributes(db, in.where.level_of(t)));
    in.establishments = read_placed_establishments(in.where, db);
    in.accessibility = accessibility_index(read_accessibility(db));
    return in;
}

closing_plan plan_for(const coverage_model& model, const planning_inputs& inputs, const std::string& scenario,
                      double moderate_budget, double growth, int last_year) {
    double base = moderate_budget > 0 ? moderate_budget : 0.20 * model.sector_national("").investment;
    plan_options o;
    for (const auto& s : standard_scenarios(base, growth))
        if (s.name == scenario) o.scenario = s;
    o.first_year = inputs.year;
    o.last_year = std::max(inputs.year, last_year);
    return plan_closing(model, inputs.people, o);
}

coverage_model make_model(const planning_inputs& in, coverage_options options) {
    coverage_model m(in.catalogue, in.where, population_for_year(in.people, in.year), in.attributes, options);
    m.set_establishments(in.establishments);
    return m;
}

void write_coverage(sqlite::connection& db, const coverage_model& model, int year, const closing_plan* plan) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS coverage (level TEXT NOT NULL, code TEXT NOT NULL, sector TEXT NOT NULL,"
        " typology TEXT NOT NULL, year INTEGER NOT NULL, population REAL, demand REAL, current REAL, ideal REAL,"
        " deficit REAL, surplus REAL, coverage_pct REAL, capacity_current REAL, capacity_ideal REAL,"
        " capacity_deficit REAL, good REAL, fair REAL, poor REAL, investment_cost REAL, recurrent_cost REAL,"
        " closing_year INTEGER, scenario TEXT, PRIMARY KEY (level, code, sector, typology, year))");
    sqlite::statement del(db, "DELETE FROM coverage WHERE year = ?");
    del.bind(1, year).run();
    sqlite::statement ins(db, "INSERT INTO coverage VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    const territory& where = model.where();
    for (std::size_t t = 0; t < where.tier_count(); ++t) {
        auto rows = coverage_rows(model, {where.level_of(t), "", false}, plan);
        auto typ = coverage_rows(model, {where.level_of(t), "", true}, plan);
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
            if (plan)
                ins.bind(22, plan->scenario.name);
            else
                ins.bind_null(22);
            ins.run();
        }
    }
}

}  // namespace microplan::geo::store
