#include "microplan/geo/planning/observations.hpp"

#include <cctype>
#include <cmath>
#include <map>
#include <tuple>

#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/model/names.hpp"
#include "microplan/geo/planning/report.hpp"
#include "table_reader.hpp"

namespace microplan::geo {

namespace {

using planning_tables::row_check;
using planning_tables::table_reader;
using planning_tables::trimmed_text;

// An indicator's identifier: lower case, spaces as underscores ("Tasa de cobertura" -> "tasa_de_cobertura").
std::string indicator_id(const std::string& text) {
    std::string out;
    for (char ch : text) out += ch == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

// An observed value: a rate, a count or an amount, never beyond the world's product.
constexpr bounds::interval observed{-1e15, 1e15, "an observed value lies between -1e15 and 1e15"};

}  // namespace

std::optional<std::string> parse_period(const std::string& text) {
    if (text.size() == 4) {
        for (char c : text)
            if (c < '0' || c > '9') return std::nullopt;
        const int year = std::stoi(text);
        if (!bounds::within(year, bounds::year)) return std::nullopt;
        return text;
    }
    if (auto m = parse_month(text)) return month_text(m->first, m->second);
    return std::nullopt;
}

std::vector<observation> known_on(const std::vector<observation>& rows, const std::string& as_of) {
    std::vector<observation> out;
    for (const observation& o : rows)
        if (as_of.empty() || period_known(o.period, as_of)) out.push_back(o);
    return out;
}

nlohmann::json observation_json(const observation& o) {
    return {{"indicator", o.indicator},
            {"sector", o.sector},
            {"level", level_name(o.lvl)},
            {"code", o.code},
            {"period", o.period},
            {"value", o.value},
            {"note", o.note}};
}

std::string observations_csv(const std::vector<observation>& rows) {
    std::string out = "indicator,sector,level,code,period,value,note\n";
    for (const observation& o : rows)
        out += csv_field(o.indicator) + "," + o.sector + "," + std::string(level_name(o.lvl)) + "," +
               csv_field(o.code) + "," + o.period + "," + csv_number(o.value) + "," + csv_field(o.note) + "\n";
    return out;
}

double period_time(const std::string& period) {
    const double year = date_year(period);
    if (period.size() < 7) return year;
    return year + (std::stoi(period.substr(5, 2)) - 1) / 12.0;
}

observations_table read_observations(const std::string& path, const sectors_catalogue& sectors, findings* report_out) {
    table_reader t(path);
    const std::map<std::string, std::vector<const char*>> names = {{"indicator", {"indicator", "indicador"}},
                                                                   {"sector", {"sector"}},
                                                                   {"level", {"level", "nivel"}},
                                                                   {"code", {"code", "codigo", "unit_code", "unidad"}},
                                                                   {"period", {"period", "periodo", "year", "anio"}},
                                                                   {"value", {"value", "valor"}},
                                                                   {"note", {"note", "nota", "fuente", "source"}}};
    std::map<std::string, int> c;
    for (const auto& [key, spellings] : names) c[key] = t.column(spellings);
    for (const char* needed : {"indicator", "level", "period", "value"})
        t.require(c[needed], needed, "observations table");
    observations_table out;
    out.source = path;
    findings report;
    std::map<std::tuple<std::string, std::string, level, std::string, std::string>, long long> seen;
    long long line = 1;
    for (auto& f : *t.ds->GetLayer(0)) {
        ++line;
        row_check check{path, line, report, "observations."};
        auto cell = [&](const char* key) { return trimmed_text(*f, c[key]); };
        observation o;
        o.line = line;
        o.indicator = indicator_id(cell("indicator"));
        if (o.indicator.empty()) check.fail("indicator", "indicator_missing", "the row names no indicator");
        if (std::string s = cell("sector"); !s.empty()) {
            o.sector = sectors.canonical(s);
            if (!sectors.find(o.sector))
                check.fail("sector", "sector_unknown", "'" + s + "' is not a sector (" + sectors.ids() + ")");
        }
        const std::string lvl = cell("level");
        auto l = parse_level(lvl);
        if (!l || !(*l == level::nation || *l == level::zone || *l == level::district || *l == level::circuit))
            check.fail("level", "level_invalid", "'" + lvl + "' is not nation, zone, district or circuit");
        else
            o.lvl = *l;
        o.code = cell("code");
        if (o.code.empty() && l && *l != level::nation)
            check.fail("code", "code_missing", "an observation of a " + lvl + " names its unit");
        const std::string period = cell("period");
        if (auto p = parse_period(period))
            o.period = *p;
        else
            check.fail("period", "period_invalid", "'" + period + "' is not a year (2026) or a month (2026-03)");
        const std::string value = cell("value");
        if (value.empty())
            check.fail("value", "value_missing", "the row has no value");
        else if (auto v = check.number(value, "value", observed))
            o.value = *v;
        o.note = cell("note");
        if (!o.indicator.empty() && !o.period.empty()) {
            auto [it, fresh] = seen.emplace(std::tuple{o.indicator, o.sector, o.lvl, o.code, o.period}, line);
            if (!fresh)
                check.fail("period", "duplicate",
                           o.indicator + " of " + (o.code.empty() ? "the nation" : o.code) + " in " + o.period +
                               " is already on line " + std::to_string(it->second));
        }
        out.rows.push_back(std::move(o));
    }
    if (out.rows.empty())
        report.add(cell_finding(severity::error, "observations.empty", path, 1, "-", "the table has no rows"));
    planning_tables::hand_back(path, "invalid observations table", report, report_out);
    return out;
}

}  // namespace microplan::geo
