#include "microplan/geo/planning/projects.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/names.hpp"
#include "table_reader.hpp"

namespace microplan::geo {

namespace {

using planning_tables::hand_back;
using planning_tables::row_check;
using planning_tables::table_reader;
using planning_tables::trimmed_text;

// Spellings planners use (English and Spanish), folded as names::fold folds.
const std::map<std::string, project_kind>& kinds() {
    static const std::map<std::string, project_kind> k = {{"NEW ESTABLISHMENT", project_kind::new_establishment},
                                                          {"NEW", project_kind::new_establishment},
                                                          {"NUEVO", project_kind::new_establishment},
                                                          {"CONSTRUCCION", project_kind::new_establishment},
                                                          {"REHABILITATION", project_kind::rehabilitation},
                                                          {"REHABILITACION", project_kind::rehabilitation},
                                                          {"EXPANSION", project_kind::expansion},
                                                          {"AMPLIACION", project_kind::expansion},
                                                          {"NETWORK EXTENSION", project_kind::network_extension},
                                                          {"EXTENSION DE RED", project_kind::network_extension},
                                                          {"OTHER", project_kind::other},
                                                          {"OTRO", project_kind::other}};
    return k;
}

const std::map<std::string, project_status>& statuses() {
    static const std::map<std::string, project_status> s = {{"PLANNED", project_status::planned},
                                                            {"PLANIFICADO", project_status::planned},
                                                            {"FUNDED", project_status::funded},
                                                            {"FINANCIADO", project_status::funded},
                                                            {"IN EXECUTION", project_status::in_execution},
                                                            {"EN EJECUCION", project_status::in_execution},
                                                            {"FINISHED", project_status::finished},
                                                            {"TERMINADO", project_status::finished},
                                                            {"FINALIZADO", project_status::finished},
                                                            {"SUSPENDED", project_status::suspended},
                                                            {"SUSPENDIDO", project_status::suspended}};
    return s;
}

constexpr bounds::interval percent{0, 100, "a progress lies between 0 and 100 %"};

}  // namespace

std::string_view kind_name(project_kind k) {
    switch (k) {
        case project_kind::new_establishment:
            return "new_establishment";
        case project_kind::rehabilitation:
            return "rehabilitation";
        case project_kind::expansion:
            return "expansion";
        case project_kind::network_extension:
            return "network_extension";
        case project_kind::other:
            return "other";
    }
    return "other";
}

std::string_view status_name(project_status s) {
    switch (s) {
        case project_status::planned:
            return "planned";
        case project_status::funded:
            return "funded";
        case project_status::in_execution:
            return "in_execution";
        case project_status::finished:
            return "finished";
        case project_status::suspended:
            return "suspended";
    }
    return "planned";
}

namespace {

// "2026-03: diseño; 2026-09-30: obra gris" -> milestones, each date checked.
std::vector<milestone> parse_milestones(const std::string& text, row_check& check) {
    std::vector<milestone> out;
    for (const std::string& item : planning_tables::list_items(text, ";")) {
        const std::size_t colon = item.find(':');
        std::string date = item.substr(0, colon), name = colon == std::string::npos ? "" : item.substr(colon + 1);
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        auto day = parse_date(date);
        if (!day) {
            check.fail("milestones", "date_invalid",
                       "'" + item + "' does not start with a date (YYYY-MM-DD: name; milestones joined with ;)");
            continue;
        }
        out.push_back({*day, name});
    }
    return out;
}

// The row's place: a point, a unit code, or both.
void read_place(project& p, const std::string& lon, const std::string& lat, const std::string& unit, row_check& check) {
    p.lon = check.number(lon, "lon", bounds::longitude);
    p.lat = check.number(lat, "lat", bounds::latitude);
    if (lon.empty() != lat.empty())
        check.fail(lon.empty() ? "lon" : "lat", "coordinate_missing", "a point needs both lon and lat");
    p.unit_code = unit;
    if (!unit.empty()) {
        p.unit_level = planning_level_of_code(unit);
        if (!p.unit_level)
            check.fail("unit_code", "unit_code_invalid",
                       "'" + unit + "' is not a zone, district or circuit code (like Z8, 17D06, 17D06C03)");
    }
    if (lon.empty() && lat.empty() && unit.empty())
        check.fail("lon", "place_missing", "a project needs a point (lon, lat) or the code of its unit (unit_code)");
}

project read_row(OGRFeature& f, const std::map<std::string, int>& c, const sectors_catalogue& sectors,
                 row_check& check) {
    auto cell = [&](const char* name) { return trimmed_text(f, c.at(name)); };
    project p;
    p.line = check.line;
    p.code = cell("code");
    if (p.code.empty()) check.fail("code", "code_missing", "the project has no code");
    p.name = cell("name");
    if (p.name.empty()) check.fail("name", "name_missing", "the project has no name");
    const std::string sector = cell("sector");
    p.sector = sectors.canonical(sector);
    if (sector.empty())
        check.fail("sector", "sector_missing", "the sector whose gap the project closes is empty");
    else if (!sectors.find(p.sector))
        check.fail("sector", "sector_unknown", "unknown sector '" + sector + "' (known: " + sectors.ids() + ")");
    p.typology = cell("typology");
    if (const std::string k = cell("kind"); !k.empty()) {
        auto it = kinds().find(names::fold(k));
        if (it == kinds().end())
            check.fail("kind", "kind_unknown",
                       "'" + k + "' is not new_establishment, rehabilitation, expansion, network_extension or other");
        else
            p.kind = it->second;
    }
    if (const std::string s = cell("status"); !s.empty()) {
        auto it = statuses().find(names::fold(s));
        if (it == statuses().end())
            check.fail("status", "status_unknown",
                       "'" + s + "' is not planned, funded, in_execution, finished or suspended");
        else
            p.status = it->second;
    }
    read_place(p, cell("lon"), cell("lat"), cell("unit_code"), check);
    p.investment = check.number(cell("investment"), "investment", bounds::cost_usd).value_or(0);
    p.recurrent = check.number(cell("recurrent"), "recurrent", bounds::cost_usd).value_or(0);
    p.own_funds = check.number(cell("own_funds"), "own_funds", bounds::cost_usd).value_or(0);
    p.transfers = check.number(cell("transfers"), "transfers", bounds::cost_usd).value_or(0);
    p.debt = check.number(cell("debt"), "debt", bounds::cost_usd).value_or(0);
    p.international = check.number(cell("international"), "international", bounds::cost_usd).value_or(0);
    p.physical_progress = check.number(cell("physical_progress"), "physical_progress", percent);
    for (auto [column, out] : {std::pair{"start", &p.start}, std::pair{"end", &p.end}}) {
        const std::string d = cell(column);
        if (d.empty()) continue;
        if (auto ok = parse_date(d))
            *out = *ok;
        else
            check.fail(column, "date_invalid", "'" + d + "' is not a date (YYYY-MM-DD or YYYY-MM)");
    }
    if (!p.start.empty() && !p.end.empty() && date_day(p.end) < date_day(p.start))
        check.fail("end", "end_before_start", "the project ends (" + p.end + ") before it starts (" + p.start + ")");
    p.milestones = parse_milestones(cell("milestones"), check);
    p.entity = cell("entity");
    p.establishment = cell("establishment");
    if (p.financing() > 0 && std::abs(p.financing() - p.investment) > 0.01 * std::max(p.investment, 1.0))
        check.add(severity::warning, "own_funds", "financing_mismatch",
                  "the financing sources add up to " + std::to_string(static_cast<long long>(p.financing())) +
                      " USD, not the investment of " + std::to_string(static_cast<long long>(p.investment)) + " USD");
    return p;
}

}  // namespace

projects_table read_projects(const std::string& path, const sectors_catalogue& sectors, findings* report_out) {
    table_reader t(path);
    // Columns as docs/results.md writes them, with Spanish headers.
    const std::map<std::string, std::vector<const char*>> names = {
        {"code", {"code", "codigo", "cup", "project_code"}},
        {"name", {"name", "nombre"}},
        {"sector", {"sector"}},
        {"kind", {"kind", "tipo"}},
        {"typology", {"typology", "tipologia"}},
        {"status", {"status", "estado"}},
        {"lon", {"lon", "longitude", "longitud", "x"}},
        {"lat", {"lat", "latitude", "latitud", "y"}},
        {"unit_code", {"unit_code", "unidad", "codigo_unidad", "circuit_code", "district_code"}},
        {"investment", {"investment", "inversion", "investment_cost"}},
        {"recurrent", {"recurrent", "recurrente", "recurrent_cost", "gasto_corriente"}},
        {"own_funds", {"own_funds", "fondos_propios", "recursos_propios"}},
        {"transfers", {"transfers", "transferencias"}},
        {"debt", {"debt", "deuda", "credito"}},
        {"international", {"international", "cooperacion", "internacional"}},
        {"start", {"start", "inicio", "fecha_inicio"}},
        {"end", {"end", "fin", "fecha_fin"}},
        {"milestones", {"milestones", "hitos"}},
        {"physical_progress", {"physical_progress", "avance_fisico"}},
        {"entity", {"entity", "entidad", "responsable"}},
        {"establishment", {"establishment", "establecimiento", "codigo_establecimiento"}}};
    std::map<std::string, int> c;
    for (const auto& [key, spellings] : names) c[key] = t.column(spellings);
    t.require(c["code"], "code", "projects table");
    t.require(c["sector"], "sector", "projects table");
    projects_table out;
    out.source = path;
    findings report;
    std::map<std::string, long long> seen;
    long long line = 1;
    for (auto& f : *t.ds->GetLayer(0)) {
        ++line;
        row_check check{path, line, report, "projects."};
        project p = read_row(*f, c, sectors, check);
        if (!p.code.empty()) {
            auto [it, fresh] = seen.emplace(p.code, line);
            if (!fresh)
                check.fail("code", "duplicate",
                           "project " + p.code + " is already on line " + std::to_string(it->second));
        }
        out.items.push_back(std::move(p));
    }
    if (out.items.empty()) {
        finding f;
        f.sev = severity::error;
        f.rule = "projects.empty";
        f.message = path + ": the table has no projects";
        report.add(std::move(f));
    }
    hand_back(path, "invalid projects table", report, report_out);
    return out;
}

execution_table read_execution(const std::string& path, const std::vector<std::string>& projects,
                               findings* report_out) {
    table_reader t(path);
    const std::map<std::string, std::vector<const char*>> names = {
        {"project_code", {"project_code", "codigo_proyecto", "proyecto", "cup", "code"}},
        {"year", {"year", "anio", "ano", "ejercicio"}},
        {"month", {"month", "mes", "periodo"}},
        {"codified", {"codified", "codificado"}},
        {"committed", {"committed", "comprometido"}},
        {"accrued", {"accrued", "devengado"}},
        {"paid", {"paid", "pagado"}}};
    std::map<std::string, int> c;
    for (const auto& [key, spellings] : names) c[key] = t.column(spellings);
    for (const char* needed : {"project_code", "year", "month", "codified", "accrued"})
        t.require(c[needed], needed, "budget execution export");
    std::set<std::string> known(projects.begin(), projects.end());
    execution_table out;
    out.source = path;
    findings report;
    std::map<std::tuple<std::string, int, int>, long long> seen;
    long long line = 1;
    for (auto& f : *t.ds->GetLayer(0)) {
        ++line;
        row_check check{path, line, report, "projects."};
        auto cell = [&](const char* name) { return trimmed_text(*f, c.at(name)); };
        execution_row r;
        r.line = line;
        r.project_code = cell("project_code");
        if (r.project_code.empty())
            check.fail("project_code", "project_missing", "the row names no project");
        else if (!known.count(r.project_code))
            check.fail("project_code", "project_unknown",
                       "no project of the portfolio has code " + r.project_code +
                           " (import it with `microplan "
                           "projects import`)");
        const auto year = check.number(cell("year"), "year", bounds::year);
        const auto month = check.number(cell("month"), "month", {1, 12, "a month is 1 to 12"});
        if (!year && cell("year").empty()) check.fail("year", "year_missing", "the row has no year");
        if (!month && cell("month").empty()) check.fail("month", "month_missing", "the row has no month");
        if (year && *year != std::floor(*year)) check.fail("year", "not_whole", "a year is a whole number");
        if (month && *month != std::floor(*month)) check.fail("month", "not_whole", "a month is a whole number");
        r.year = year ? static_cast<int>(*year) : 0;
        r.month = month ? static_cast<int>(*month) : 0;
        for (auto [name, out_value] : {std::pair{"codified", &r.codified}, std::pair{"committed", &r.committed},
                                       std::pair{"accrued", &r.accrued}, std::pair{"paid", &r.paid}})
            *out_value = check.number(cell(name), name, bounds::cost_usd).value_or(0);
        if (!(r.paid <= r.accrued && r.accrued <= r.committed + 0.005 && r.committed <= r.codified + 0.005) &&
            c.at("committed") >= 0 && c.at("paid") >= 0)
            check.add(severity::warning, "accrued", "order",
                      "the amounts are not in the usual order paid <= accrued <= committed <= codified");
        if (r.year && r.month && !r.project_code.empty()) {
            auto [it, fresh] = seen.emplace(std::tuple{r.project_code, r.year, r.month}, line);
            if (!fresh)
                check.fail("month", "duplicate",
                           r.project_code + " " + std::to_string(r.year) + "-" + std::to_string(r.month) +
                               " is already on line " + std::to_string(it->second));
        }
        out.rows.push_back(std::move(r));
    }
    hand_back(path, "invalid budget execution", report, report_out);
    return out;
}

namespace {

// Months since year 0 of "YYYY-MM[-DD]".
int month_index(const std::string& date) {
    return std::stoi(date.substr(0, 4)) * 12 + std::stoi(date.substr(5, 2)) - 1;
}

}  // namespace

project_progress progress_of(const project& p, const std::vector<execution_row>& rows) {
    project_progress out;
    std::map<int, const execution_row*> last_of_year;
    const execution_row* latest = nullptr;
    for (const auto& r : rows) {
        const execution_row*& y = last_of_year[r.year];
        if (!y || r.month > y->month) y = &r;
        if (!latest || std::pair{r.year, r.month} > std::pair{latest->year, latest->month}) latest = &r;
    }
    if (!latest) return out;
    out.year = latest->year;
    out.month = latest->month;
    out.codified = latest->codified;
    out.committed = latest->committed;
    out.accrued = latest->accrued;
    out.paid = latest->paid;
    if (latest->codified > 0) out.financial_pct = 100.0 * latest->accrued / latest->codified;
    for (const auto& [year, r] : last_of_year) out.executed += r->accrued;
    if (p.investment > 0) out.executed_pct = 100.0 * out.executed / p.investment;
    if (!p.start.empty() && !p.end.empty()) {
        const int from = month_index(p.start), to = month_index(p.end) + 1, at = out.year * 12 + out.month;
        if (to > from) out.expected_pct = 100.0 * std::clamp(double(at - from) / (to - from), 0.0, 1.0);
    }
    if (out.executed_pct && out.expected_pct) out.variance_pct = *out.executed_pct - *out.expected_pct;
    return out;
}

project_progress progress_as_of(const project& p, const std::vector<execution_row>& rows, int year, int month) {
    std::vector<execution_row> until;
    for (const auto& r : rows)
        if (std::pair{r.year, r.month} <= std::pair{year, month}) until.push_back(r);
    return progress_of(p, until);
}

project_status status_as_of(const project& p, int year, int month) {
    const int at = year * 12 + month - 1;
    const bool started = !p.start.empty() && month_index(p.start) <= at;
    const bool ended = !p.end.empty() && month_index(p.end) <= at;
    switch (p.status) {
        case project_status::finished:
            if (p.end.empty() || ended) return project_status::finished;
            return started || p.start.empty() ? project_status::in_execution : project_status::funded;
        case project_status::in_execution:
        case project_status::suspended:
            return started || p.start.empty() ? p.status : project_status::funded;
        default:
            return p.status;
    }
}

}  // namespace microplan::geo
