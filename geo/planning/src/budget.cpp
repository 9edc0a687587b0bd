#include "microplan/geo/planning/budget.hpp"

#include <cmath>
#include <cstdio>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/names.hpp"
#include "table_reader.hpp"

namespace microplan::geo {

namespace {

using planning_tables::table_reader;
using planning_tables::text_of;

// A share of GDP given to closing the gap: more than half of a country's product is a unit
// mix-up (a fraction 0.02 read as 2 % is fine; 200 is not).
constexpr bounds::interval budget_pct_gdp{0, 50, "no plan gets more than half of the country's GDP every year"};
// A country's GDP in USD: positive, at most the world's.
constexpr bounds::interval gdp_usd{1, 1e14, "no country's product exceeds the world's (about 1e14 USD)"};

}  // namespace

const budget_scenario_row* budget_scenarios::find(const std::string& name) const {
    for (const auto& r : rows)
        if (r.scenario.name == name || r.label_es == name) return &r;
    return nullptr;
}

std::vector<std::string> check_budget_scenarios(const budget_scenarios& table) {
    std::vector<std::string> out;
    std::set<std::string> names;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& r = table.rows[i];
        std::string at = "scenario " + (r.scenario.name.empty() ? "#" + std::to_string(i + 1) : r.scenario.name) + ": ";
        if (r.scenario.name.empty()) out.push_back(at + "has no name");
        if (!names.insert(r.scenario.name).second) out.push_back(at + "is named twice");
        if (!bounds::within(r.scenario.gdp_year, bounds::year))
            out.push_back(at + "gdp_year " + bounds::violation(r.scenario.gdp_year, bounds::year));
        if (!bounds::within(r.scenario.gdp, gdp_usd))
            out.push_back(at + "gdp_usd " + bounds::violation(r.scenario.gdp, gdp_usd));
        if (!bounds::within(r.scenario.gdp_growth, bounds::budget_growth))
            out.push_back(
                at + "gdp_growth_pct " +
                bounds::violation(100 * r.scenario.gdp_growth, {-50, 100, "a yearly growth between -50 % and +100 %"}));
        if (!bounds::within(r.budget_pct_gdp, budget_pct_gdp))
            out.push_back(at + "budget_pct_gdp " + bounds::violation(r.budget_pct_gdp, budget_pct_gdp));
    }
    return out;
}

budget_scenarios read_budget_scenarios(const std::string& path) {
    table_reader t(path);
    int c_name = t.column({"scenario", "escenario", "name", "nombre"}), c_label = t.column({"label_es", "etiqueta"}),
        c_year = t.column({"gdp_year", "anio_pib", "ano_pib", "year", "anio"}),
        c_gdp = t.column({"gdp_usd", "pib_usd", "gdp", "pib"}),
        c_growth = t.column({"gdp_growth_pct", "crecimiento_pib_pct", "crecimiento_pib"}),
        c_share = t.column({"budget_pct_gdp", "presupuesto_pct_pib"}),
        c_note = t.column({"note", "nota", "source", "fuente"});
    t.require(c_name, "scenario", "scenarios table");
    t.require(c_year, "gdp_year", "scenarios table");
    t.require(c_gdp, "gdp_usd", "scenarios table");
    t.require(c_growth, "gdp_growth_pct", "scenarios table");
    t.require(c_share, "budget_pct_gdp", "scenarios table");
    budget_scenarios out;
    out.source = path;
    std::set<std::string> names;
    long long line = 1;
    for (auto& f : *t.ds->GetLayer(0)) {
        ++line;
        budget_scenario_row r;
        r.scenario.name = text_of(*f, c_name);
        r.label_es = text_of(*f, c_label);
        r.note = text_of(*f, c_note);
        if (r.scenario.name.empty())
            t.bad(line, "scenario", "no scenario name");
        else if (!names.insert(r.scenario.name).second)
            t.bad(line, "scenario", "'" + r.scenario.name + "' is named twice");
        auto number = [&](int c, const char* col, const bounds::interval& range, bool whole) -> double {
            std::string s = text_of(*f, c);
            auto v = parse_number(s);
            if (!v) {
                t.bad(line, col, "'" + s + "' is not a number");
                return 0;
            }
            if (!bounds::within(*v, range)) {
                t.bad(line, col, bounds::violation(s, range));
                return 0;
            }
            if (whole && *v != std::floor(*v)) t.bad(line, col, "'" + s + "' is not a whole year");
            return *v;
        };
        r.scenario.gdp_year = static_cast<int>(number(c_year, "gdp_year", bounds::year, true));
        r.scenario.gdp = number(c_gdp, "gdp_usd", gdp_usd, false);
        r.scenario.gdp_growth =
            number(c_growth, "gdp_growth_pct", {-50, 100, "a yearly growth between -50 % and +100 %"}, false) / 100;
        r.budget_pct_gdp = number(c_share, "budget_pct_gdp", budget_pct_gdp, false);
        out.rows.push_back(std::move(r));
    }
    if (out.rows.empty() && t.problems.empty()) t.problems = "\n  " + path + ": the table has no scenario";
    if (!t.problems.empty())
        throw format_error({path, {}, {}, {}, {}}, "invalid scenarios table", "problems:" + t.problems);
    return out;
}

budget_scenario scenario_of(const budget_scenario_row& row, int first_year) {
    budget_scenario s = row.scenario;
    s.growth = s.gdp_growth;
    s.base_budget = row.budget_pct_gdp / 100 * s.gdp_in(first_year);
    return s;
}

budget_path read_budget_path(const std::string& path, const standards_catalogue& catalogue) {
    table_reader t(path);
    int c_year = t.column({"year", "anio", "ano"}), c_budget = t.column({"budget", "presupuesto", "amount", "monto"}),
        c_sector = t.column({"sector"});
    t.require(c_year, "year", "budget path");
    t.require(c_budget, "budget", "budget path");
    std::set<std::string> known;
    std::string listing;
    for (const auto& [sector, priority] : catalogue.sectors()) {
        known.insert(sector);
        listing += (listing.empty() ? "" : ", ") + sector;
    }
    budget_path out;
    long long line = 1;
    for (auto& f : *t.ds->GetLayer(0)) {
        ++line;
        std::string ys = text_of(*f, c_year), bs = text_of(*f, c_budget), ss = text_of(*f, c_sector);
        auto y = parse_number(ys);
        auto b = parse_number(bs);
        bool ok = true;
        if (!y || *y != std::floor(*y) || !bounds::within(*y, bounds::year)) {
            t.bad(line, "year", "'" + ys + "' is not a year between 1800 and 2200");
            ok = false;
        }
        if (!b || !bounds::within(*b, bounds::budget_usd)) {
            t.bad(line, "budget",
                  b ? bounds::violation(bs, bounds::budget_usd) : "'" + bs + "' is not an amount in USD");
            ok = false;
        }
        std::string sector = ss.empty() ? std::string{} : canonical_sector(ss);
        if (!sector.empty() && !known.count(sector)) {
            t.bad(line, "sector", "'" + ss + "' is not a sector of the standards in force (" + listing + ")");
            ok = false;
        }
        if (!ok) continue;
        auto& years = sector.empty() ? out.total : out.sectors[sector];
        int year = static_cast<int>(*y);
        if (!years.emplace(year, *b).second)
            t.bad(line, "year", std::to_string(year) + " is given twice" + (sector.empty() ? "" : " for " + sector));
    }
    if (out.total.empty() && out.sectors.empty() && t.problems.empty())
        t.problems = "\n  " + path + ": the path has no year";
    if (!t.problems.empty())
        throw format_error({path, {}, {}, {}, {}}, "invalid budget path", "problems:" + t.problems);
    return out;
}

std::string budget_path_csv(const required_budget& required) {
    std::string out = "year,sector,budget\n";
    char amount[64];
    for (const auto& s : required.sectors)
        for (const auto& [year, usd] : s.path) {
            std::snprintf(amount, sizeof amount, "%.0f", usd);
            out += std::to_string(year) + "," + s.sector + "," + amount + "\n";
        }
    return out;
}

}  // namespace microplan::geo
