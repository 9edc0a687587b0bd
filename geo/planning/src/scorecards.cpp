#include "microplan/geo/planning/scorecards.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/names.hpp"
#include "table_reader.hpp"
#include "target_rows.hpp"

namespace microplan::geo {

namespace {

using planning_tables::list_items;
using planning_tables::row_check;
using planning_tables::table_reader;
using planning_tables::trimmed_text;

constexpr perspective all_perspectives[] = {perspective::beneficiaries, perspective::processes, perspective::capacity,
                                            perspective::finance};

std::optional<perspective> parse_perspective(const std::string& text) {
    const std::string f = names::fold(text);
    if (f == "BENEFICIARIES" || f == "BENEFICIARIOS" || f == "CIUDADANIA" || f == "CUSTOMER" || f == "CLIENTES")
        return perspective::beneficiaries;
    if (f == "PROCESSES" || f == "PROCESOS" || f == "PROCESOS INTERNOS" || f == "INTERNAL PROCESSES")
        return perspective::processes;
    if (f == "CAPACITY" || f == "CAPACIDADES" || f == "CAPACIDAD" || f == "APRENDIZAJE" || f == "LEARNING AND GROWTH")
        return perspective::capacity;
    if (f == "FINANCE" || f == "FINANZAS" || f == "FINANCIERA" || f == "FINANCIAL") return perspective::finance;
    return std::nullopt;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

// Rows of a scorecard: the scope's own and its level's templates (code "").
bool belongs(const scorecard_row& r, level lvl, const std::string& code, const std::string& organisation) {
    return r.lvl == lvl && r.organisation == organisation && (r.code == code || r.code.empty());
}

}  // namespace

std::string_view perspective_name(perspective p) {
    switch (p) {
        case perspective::beneficiaries:
            return "beneficiaries";
        case perspective::processes:
            return "processes";
        case perspective::capacity:
            return "capacity";
        case perspective::finance:
            return "finance";
    }
    return "beneficiaries";
}

std::string_view perspective_label(perspective p, bool spanish) {
    switch (p) {
        case perspective::beneficiaries:
            return spanish ? "Beneficiarios" : "Beneficiaries";
        case perspective::processes:
            return spanish ? "Procesos" : "Processes";
        case perspective::capacity:
            return spanish ? "Capacidades" : "Capacity";
        case perspective::finance:
            return spanish ? "Finanzas" : "Finance";
    }
    return "";
}

scorecards_table read_scorecards(const std::string& path, const sectors_catalogue& sectors) {
    table_reader t(path);
    const std::map<std::string, std::vector<const char*>> names = {
        {"level", {"level", "nivel"}},
        {"code", {"code", "codigo", "unidad"}},
        {"organisation", {"organisation", "organization", "organizacion", "unidad_organizacional"}},
        {"objective", {"objective", "objetivo"}},
        {"name", {"name", "nombre", "objective_name"}},
        {"perspective", {"perspective", "perspectiva"}},
        {"causes", {"contributes_to", "contribuye_a", "causes"}},
        {"cascades_from", {"cascades_from", "se_despliega_de", "parent_objective"}},
        {"initiatives", {"initiatives", "iniciativas"}},
        {"indicator", {"indicator", "indicador"}},
        {"sector", {"sector"}},
        {"indicator_level", {"indicator_level", "nivel_indicador"}},
        {"year", {"year", "anio", "ano"}},
        {"target", {"target", "meta"}},
        {"direction", {"direction", "sentido"}},
        {"baseline", {"baseline", "linea_base"}},
        {"share_of_units", {"share_of_units", "porcentaje_unidades"}},
        {"not_applicable", {"not_applicable", "no_aplica"}},
        {"source", {"source", "fuente"}}};
    std::map<std::string, int> c;
    for (const auto& [key, spellings] : names) c[key] = t.column(spellings);
    for (const char* needed : {"level", "objective", "perspective"}) t.require(c[needed], needed, "scorecards table");
    scorecards_table out;
    out.source = path;
    findings report;
    long long line = 1;
    for (auto& f : *t.ds->GetLayer(0)) {
        ++line;
        row_check check{path, line, report, "scorecards."};
        auto cell = [&](const char* key) { return trimmed_text(*f, c[key]); };
        scorecard_row r;
        r.line = line;
        auto l = parse_level(cell("level"));
        if (!l || !(*l == level::nation || *l == level::zone || *l == level::district || *l == level::circuit))
            check.fail("level", "level_invalid", "'" + cell("level") + "' is not nation, zone, district or circuit");
        else
            r.lvl = *l;
        r.code = r.lvl == level::nation ? "" : cell("code");
        r.organisation = cell("organisation");
        r.objective = cell("objective");
        if (r.objective.empty()) check.fail("objective", "objective_missing", "the row names no objective");
        r.name = cell("name");
        if (auto p = parse_perspective(cell("perspective")))
            r.view = *p;
        else
            check.fail("perspective", "perspective_unknown",
                       "'" + cell("perspective") +
                           "' is not beneficiaries, processes, capacity or finance (beneficiarios, procesos, "
                           "capacidades, finanzas)");
        r.causes = list_items(cell("causes"), ";,|");
        r.cascades_from = cell("cascades_from");
        r.initiatives = list_items(cell("initiatives"), ";,|");
        for (auto& i : r.initiatives)
            if (const std::string s = sectors.canonical(i); sectors.find(s)) i = s;
        if (const std::string indicator = cell("indicator"); !indicator.empty()) {
            target g;
            g.line = line;
            g.indicator = indicator;
            auto bad = [&](const std::string& col, const std::string& msg) { check.fail(col, "target_invalid", msg); };
            const std::string source = names::fold(cell("source"));
            g.observed = source == "OBSERVED" || source == "OBSERVADO";
            if (!source.empty() && !g.observed && source != "PLAN")
                bad("source", "'" + cell("source") + "' is not plan or observed (observado)");
            if (!g.observed &&
                std::find(indicator_names().begin(), indicator_names().end(), indicator) == indicator_names().end())
                bad("indicator", "unknown indicator '" + indicator +
                                     "' (coverage_pct, establishments_per_10k, population_within_minutes; or source "
                                     "observed)");
            if (std::string s = cell("sector"); !s.empty()) {
                g.sector = sectors.canonical(s);
                if (!sectors.find(g.sector)) bad("sector", "'" + s + "' is not a sector (" + sectors.ids() + ")");
            }
            g.lvl = r.lvl;
            if (std::string il = cell("indicator_level"); !il.empty()) {
                auto ll = parse_level(il);
                if (!ll || *ll == level::nation)
                    bad("indicator_level", "'" + il + "' is not zone, district or circuit");
                else
                    g.lvl = *ll;
            }
            if (r.lvl != level::nation && g.lvl != r.lvl)
                bad("indicator_level", "a " + std::string(level_name(r.lvl)) +
                                           "'s indicators are measured in the unit itself; only the nation's "
                                           "scorecard measures a level below");
            auto y = parse_number(cell("year"));
            if (!y || *y < 1900 || *y > 2200 || *y != std::floor(*y))
                bad("year", "'" + cell("year") + "' is not a year");
            else
                g.year = static_cast<int>(*y);
            auto v = parse_number(cell("target"));
            if (!v || *v < 0)
                bad("target", "'" + cell("target") + "' is not a non-negative number");
            else
                g.value = *v;
            planning_tables::read_target_options(g, cell("direction"), cell("baseline"), cell("share_of_units"),
                                                 cell("not_applicable"), bad);
            if (r.lvl == level::nation && g.lvl == level::nation)
                bad("indicator_level", "the nation's indicators name the level they count units of (district, ...)");
            else if (r.lvl == level::nation && !g.share_of_units)
                bad("share_of_units", "the nation's indicators are targets over a set of units: give share_of_units");
            r.goal = std::move(g);
        }
        out.rows.push_back(std::move(r));
    }
    // Links name objectives of the same scorecard (scope: level, code, organisation).
    std::map<std::tuple<level, std::string, std::string>, std::set<std::string>> objectives;
    for (const auto& r : out.rows) objectives[{r.lvl, r.code, r.organisation}].insert(r.objective);
    for (const auto& r : out.rows)
        for (const auto& to : r.causes) {
            const auto& own = objectives[{r.lvl, r.code, r.organisation}];
            const auto& templates = objectives[{r.lvl, std::string(), r.organisation}];
            if (!own.count(to) && !templates.count(to))
                report.add(cell_finding(
                    severity::error, "scorecards.link_unknown", path, r.line, "contributes_to",
                    "objective " + r.objective + " contributes to " + to + ", which is no objective of its scorecard"));
        }
    if (out.rows.empty())
        report.add(cell_finding(severity::error, "scorecards.empty", path, 1, "-", "the table has no rows"));
    planning_tables::hand_back(path, "invalid scorecards table", report, nullptr);
    return out;
}

scorecard make_scorecard(const scorecards_table& table, level lvl, const std::string& code,
                         const std::string& organisation, const coverage_model& model, const closing_plan& plan,
                         const std::vector<unit_project>& projects, findings& report, const accessibility_index* access,
                         const std::vector<observation>* observed, const light_thresholds& lights) {
    scorecard card;
    card.lvl = lvl;
    card.code = lvl == level::nation ? "" : code;
    card.organisation = organisation;
    card.year = plan.first_year;
    if (lvl == level::nation) {
        card.name = "Nacional";
    } else if (auto tier = model.where().tier_of(lvl); tier) {
        if (auto u = model.where().find(*tier, code)) {
            card.name = model.where().units(*tier)[*u].name;
            card.parent_code = model.where().units(*tier)[*u].parent_code;
        }
    }
    // Objectives in table order; each indicator a target for this unit.
    std::vector<const scorecard_row*> rows;
    for (const auto& r : table.rows)
        if (belongs(r, lvl, card.code, organisation)) rows.push_back(&r);
    if (rows.empty())
        throw format_error(
            {table.source, {}, {}, {}, {}}, "no scorecard",
            "the scorecards table has no scorecard for " +
                (lvl == level::nation ? std::string("the nation") : std::string(level_name(lvl)) + " " + code) +
                (organisation.empty() ? "" : " (" + organisation + ")"));
    std::vector<target> goals;
    for (const auto* r : rows)
        if (r->goal) {
            target t = *r->goal;
            t.code = lvl == level::nation ? "" : card.code;
            goals.push_back(std::move(t));
        }
    const std::vector<indicator_status> evaluated =
        evaluate_targets(model, plan, goals, report, access, lights, observed);
    std::map<std::string, std::size_t> index;  // objective -> position in card.objectives
    for (const auto* r : rows) {
        auto [it, fresh] = index.emplace(r->objective, card.objectives.size());
        if (fresh) {
            objective_status o;
            o.definition = r;
            for (const auto& p : projects)
                for (const auto& i : r->initiatives)
                    if (p.attributes.sector == i || p.attributes.code == i) {
                        o.initiatives.push_back(p);
                        break;
                    }
            card.objectives.push_back(std::move(o));
        }
        if (!r->goal) continue;
        const std::string wanted = lvl == level::nation || !r->goal->not_applicable.empty() ? "*" : card.code;
        for (const auto& s : evaluated)
            if (s.goal.line == r->line && (s.code == wanted || (wanted == "*" && s.code == card.code)))
                card.objectives[it->second].indicators.push_back(s);
    }
    for (auto& o : card.objectives) {
        double sum = 0;
        std::size_t n = 0, met = 0, risk = 0, missed = 0;
        for (const auto& s : o.indicators) {
            if (s.achievement) sum += std::clamp(*s.achievement, 0.0, 100.0), ++n;
            met += s.status == "met";
            risk += s.status == "at_risk";
            missed += s.status == "not_met";
        }
        if (n) o.achievement = sum / static_cast<double>(n);
        o.status = missed ? "not_met" : risk ? "at_risk" : met ? "met" : "no_data";
        o.light = o.achievement           ? std::string(traffic_light(*o.achievement, lights))
                  : o.status == "met"     ? "green"
                  : o.status == "at_risk" ? "yellow"
                  : o.status == "not_met" ? "red"
                                          : "";
    }
    return card;
}

nlohmann::json scorecard_json(const scorecard& card) {
    nlohmann::json j = {{"level", level_name(card.lvl)},
                        {"code", card.code},
                        {"name", card.name},
                        {"organisation", card.organisation},
                        {"parent_code", card.parent_code},
                        {"year", card.year}};
    j["perspectives"] = nlohmann::json::array();
    nlohmann::json links = nlohmann::json::array();
    std::map<std::string, std::size_t> lights;
    for (perspective p : all_perspectives) {
        nlohmann::json objectives = nlohmann::json::array();
        for (const auto& o : card.objectives) {
            const scorecard_row& d = *o.definition;
            if (d.view != p) continue;
            nlohmann::json initiatives = nlohmann::json::array();
            double investment = 0, executed = 0;
            for (const auto& [project, progress] : o.initiatives) {
                initiatives.push_back(project_json(project, progress));
                investment += project.investment;
                executed += progress.executed;
            }
            nlohmann::json obj = {{"code", d.objective},
                                  {"name", d.name},
                                  {"status", o.status},
                                  {"light", o.light},
                                  {"contributes_to", d.causes},
                                  {"cascades_from", d.cascades_from},
                                  {"indicators", targets_json(o.indicators)},
                                  {"initiatives", initiatives},
                                  {"investment", round2(investment)},
                                  {"executed", round2(executed)}};
            obj["achievement_pct"] = o.achievement ? nlohmann::json(round2(*o.achievement)) : nlohmann::json();
            obj["executed_pct"] =
                investment > 0 ? nlohmann::json(round2(100 * executed / investment)) : nlohmann::json();
            objectives.push_back(std::move(obj));
            for (const auto& to : d.causes) links.push_back({{"from", d.objective}, {"to", to}});
            ++lights[o.light.empty() ? "none" : o.light];
        }
        j["perspectives"].push_back({{"id", perspective_name(p)},
                                     {"label_es", perspective_label(p, true)},
                                     {"label_en", perspective_label(p, false)},
                                     {"objectives", std::move(objectives)}});
    }
    j["links"] = std::move(links);
    j["summary"] = {{"objectives", card.objectives.size()},
                    {"green", lights["green"]},
                    {"yellow", lights["yellow"]},
                    {"red", lights["red"]},
                    {"no_data", lights["none"]}};
    return j;
}

std::string scorecard_csv(const scorecard& card) {
    std::string out =
        "level,code,perspective,objective,objective_name,objective_status,objective_light,indicator,sector,"
        "target_year,target,baseline,achievement_pct,status,light,initiatives\n";
    for (const auto& o : card.objectives) {
        const scorecard_row& d = *o.definition;
        const std::string head = std::string(level_name(card.lvl)) + "," + csv_field(card.code) + "," +
                                 std::string(perspective_name(d.view)) + "," + csv_field(d.objective) + "," +
                                 csv_field(d.name) + "," + o.status + "," + o.light + ",";
        const std::string initiatives = std::to_string(o.initiatives.size());
        if (o.indicators.empty()) out += head + ",,,,,,,," + initiatives + "\n";
        for (const auto& s : o.indicators)
            out += head + csv_field(s.goal.indicator) + "," + csv_field(s.goal.sector) + "," +
                   std::to_string(s.goal.year) + "," + csv_number(s.goal.value) + "," + csv_number(s.baseline) + "," +
                   (s.achievement ? csv_number(*s.achievement) : "") + "," + s.status + "," + s.light + "," +
                   initiatives + "\n";
    }
    return out;
}

}  // namespace microplan::geo
