#include "microplan/geo/planning/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/model/names.hpp"
#include "target_rows.hpp"

namespace microplan::geo {

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csv_number(double v) {
    if (!std::isfinite(v)) return "";
    char buf[64];
    if (std::abs(v - std::round(v)) < 1e-9 && std::abs(v) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", std::round(v) == 0 ? 0.0 : v);
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

namespace {

double round2(double v) { return std::round(v * 100.0) / 100.0; }

std::size_t tier_or_throw(const coverage_model& model, level lvl) {
    auto t = model.where().tier_of(lvl);
    if (!t)
        throw format_error(
            {}, "level absent", "the territory has no " + std::string(level_table(lvl)) + " (it has: " + [&] {
                std::string s;
                for (std::size_t i = 0; i < model.where().tier_count(); ++i)
                    s += (i ? ", " : "") + std::string(level_table(model.where().level_of(i)));
                return s;
            }() + ")");
    return *t;
}

coverage_row make_row(const coverage_model& model, std::size_t tier, std::size_t unit, const std::string& sector,
                      const std::string& typology, const offer& o, const closing_plan* plan) {
    const auto& u = model.where().units(tier)[unit];
    coverage_row r;
    r.lvl = model.where().level_of(tier);
    r.code = u.code;
    r.name = u.name;
    r.parent = u.parent_code;
    r.population = model.population(tier, unit);
    r.sector = sector;
    r.typology = typology;
    r.values = o;
    r.counts = counts_of(model, sector);
    if (typology.empty() && !sector.empty() && !model.sector_defined_at(sector, tier)) {
        // Below its finest level, or a sector planned for the nation only.
        if (auto t = model.sector_tier(sector))
            r.planned_at = model.where().level_of(*t);
        else if (model.national_only(sector))
            r.planned_at = level::nation;
        return r;
    }
    if (plan && typology.empty() && !sector.empty()) r.closing_year = plan->closing_year(sector, tier, unit);
    return r;
}

nlohmann::json offer_json(const offer& o) {
    return {{"demand", round2(o.demand)},
            {"current", o.current},
            {"ideal", o.ideal},
            {"deficit", o.deficit},
            {"surplus", o.surplus},
            {"coverage_pct", round2(o.coverage_pct())},
            {"capacity_current", round2(o.capacity_current)},
            {"capacity_ideal", round2(o.capacity_ideal)},
            {"capacity_deficit", round2(o.capacity_deficit)},
            {"staff",
             {{"current", round2(o.staff_current)},
              {"ideal", round2(o.staff_ideal)},
              {"deficit", round2(o.staff_deficit)},
              {"salary_cost", round2(o.staff_cost)}}},
            {"condition",
             {{"good", o.good},
              {"fair", o.fair},
              {"poor", o.poor},
              {"unknown", o.unknown_condition},
              {"rehabilitation", o.rehabilitation},
              {"rehabilitation_cost", round2(o.rehabilitation_cost)}}},
            {"expansion", {{"places", round2(o.expansion)}, {"cost", round2(o.expansion_cost)}}},
            {"minimum", {{"ideal", o.minimum}, {"deficit", o.minimum_deficit}}},
            {"investment_cost", round2(o.investment)},
            {"recurrent_cost", round2(o.recurrent)}};
}

nlohmann::json row_json(const coverage_row& r) {
    nlohmann::json j = {{"level", level_name(r.lvl)},
                        {"code", r.code},
                        {"name", r.name},
                        {"parent", r.parent},
                        {"population", round2(r.population)}};
    if (!r.sector.empty()) {
        j["sector"] = r.sector;
        j["sector_label"] = sector_label(r.sector);
    }
    if (!r.typology.empty()) j["typology"] = r.typology;
    if (!r.counts.empty()) j["counts"] = r.counts;
    if (r.planned_at) {  // not applicable at this level: every value null
        const nlohmann::json fields = offer_json(r.values);
        for (const auto& field : fields.items()) j[field.key()] = nullptr;
        j["closing_year"] = nullptr;
        j["planned_at"] = level_name(*r.planned_at);
        return j;
    }
    j.update(offer_json(r.values));
    if (!r.sector.empty() && r.typology.empty())
        j["closing_year"] = r.closing_year ? nlohmann::json(*r.closing_year) : nlohmann::json(nullptr);
    return j;
}

const char* coverage_header =
    "level,code,name,parent,population,sector,sector_label,typology,current,ideal,deficit,surplus,coverage_pct,"
    "capacity_current,capacity_ideal,capacity_deficit,good,fair,poor,unknown_condition,investment_cost,"
    "recurrent_cost,closing_year,staff_current,staff_ideal,staff_deficit,staff_salary_cost,rehabilitation,"
    "rehabilitation_cost,expansion_places,expansion_cost,minimum,minimum_deficit,counts\n";

std::string row_csv(const coverage_row& r) {
    const offer& o = r.values;
    std::string s;
    auto add = [&](std::string_view v) { s += (s.empty() ? "" : ",") + csv_field(v); };
    auto num = [&](double v) { s += "," + csv_number(v); };
    add(level_name(r.lvl));
    add(r.code);
    add(r.name);
    add(r.parent);
    num(r.population);
    s += "," + csv_field(r.sector) + "," + csv_field(r.sector.empty() ? "" : sector_label(r.sector)) + "," +
         csv_field(r.typology);
    for (double v : {o.current, o.ideal, o.deficit, o.surplus, o.coverage_pct(), o.capacity_current, o.capacity_ideal,
                     o.capacity_deficit, o.good, o.fair, o.poor, o.unknown_condition, o.investment, o.recurrent})
        if (r.planned_at)
            s += ",";  // not applicable at this level
        else
            num(v);
    s += "," + (r.closing_year ? std::to_string(*r.closing_year) : std::string{});
    for (double v : {o.staff_current, o.staff_ideal, o.staff_deficit, o.staff_cost, o.rehabilitation,
                     o.rehabilitation_cost, o.expansion, o.expansion_cost, o.minimum, o.minimum_deficit})
        if (r.planned_at)
            s += ",";
        else
            num(v);
    s += "," + csv_field(r.counts);
    return s + "\n";
}

}  // namespace

namespace {

// The nation as one unit: every standard, of its own level or rolled up to the nation.
std::vector<coverage_row> nation_rows(const coverage_model& model, const coverage_query& q, const closing_plan* plan) {
    const auto& items = model.catalogue().items;
    std::vector<coverage_row> rows;
    auto row = [&](const std::string& sector, const std::string& typology, const offer& o) {
        coverage_row r;
        r.lvl = level::nation;
        r.population = model.national_population();
        r.sector = sector;
        r.typology = typology;
        r.values = o;
        r.counts = counts_of(model, sector);
        if (plan && typology.empty()) r.closing_year = plan->national_closing_year(sector);
        rows.push_back(std::move(r));
    };
    for (const auto& [sector, priority] : model.catalogue().sectors()) {
        if (!q.sector.empty() && sector != q.sector) continue;
        if (!q.by_typology) {
            row(sector, "", model.sector_national(sector));
            continue;
        }
        for (std::size_t s = 0; s < items.size(); ++s)
            if (items[s].sector == sector && model.active(s)) row(sector, items[s].typology, model.national(s));
    }
    return rows;
}

}  // namespace

std::string counts_of(const coverage_model& model, const std::string& sector) {
    if (sector.empty()) return {};
    return model.network_sector(sector) ? "households" : "establishments";
}

std::vector<coverage_row> coverage_rows(const coverage_model& model, const coverage_query& q,
                                        const closing_plan* plan) {
    auto sectors = model.catalogue().sectors();
    if (!q.sector.empty() &&
        std::none_of(sectors.begin(), sectors.end(), [&](const auto& p) { return p.first == q.sector; }))
        throw format_error({model.catalogue().source, {}, {}, "sector", {}}, "sector absent",
                           "the standards catalogue has no standard for sector '" + q.sector + "'");
    if (q.lvl == level::nation) return nation_rows(model, q, plan);
    std::size_t tier = tier_or_throw(model, q.lvl);
    const auto& items = model.catalogue().items;
    std::vector<coverage_row> rows;
    for (std::size_t u = 0; u < model.where().units(tier).size(); ++u) {
        for (const auto& [sector, priority] : sectors) {
            if (!q.sector.empty() && sector != q.sector) continue;
            if (!q.by_typology) {
                rows.push_back(make_row(model, tier, u, sector, "", model.sector_offer(sector, tier, u), plan));
                continue;
            }
            for (std::size_t s = 0; s < items.size(); ++s)
                if (items[s].sector == sector && model.standard_tier(s) < model.where().tier_count() &&
                    model.defined_at(s, tier))
                    rows.push_back(make_row(model, tier, u, sector, items[s].typology, model.at(s, tier, u), plan));
        }
    }
    return rows;
}

nlohmann::json coverage_json(const std::vector<coverage_row>& rows) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) out.push_back(row_json(r));
    return out;
}

std::string coverage_csv(const std::vector<coverage_row>& rows) {
    std::string out = coverage_header;
    for (const auto& r : rows) out += row_csv(r);
    return out;
}

unit_report make_unit_report(const coverage_model& model, level lvl, const std::string& code, const closing_plan* plan,
                             int year) {
    std::size_t tier = tier_or_throw(model, lvl);
    auto unit = model.where().find(tier, code);
    if (!unit)
        throw format_error({{}, {}, {}, {}, code}, "unknown unit",
                           "no " + std::string(level_name(lvl)) + " has code " + code);
    unit_report r;
    r.year = year;
    if (plan) r.scenario = plan->scenario.name;
    r.unit = make_row(model, tier, *unit, "", "", model.sector_offer("", tier, *unit), nullptr);
    const auto& items = model.catalogue().items;
    for (const auto& [sector, priority] : model.catalogue().sectors()) {
        r.sectors.push_back(make_row(model, tier, *unit, sector, "", model.sector_offer(sector, tier, *unit), plan));
        for (std::size_t s = 0; s < items.size(); ++s)
            if (items[s].sector == sector && model.standard_tier(s) < model.where().tier_count() &&
                model.defined_at(s, tier))
                r.typologies.push_back(
                    make_row(model, tier, *unit, sector, items[s].typology, model.at(s, tier, *unit), plan));
    }
    if (tier + 1 < model.where().tier_count())
        for (int c : model.where().children(tier, *unit)) {
            std::vector<coverage_row> rows;
            for (const auto& [sector, priority] : model.catalogue().sectors())
                rows.push_back(make_row(model, tier + 1, static_cast<std::size_t>(c), sector, "",
                                        model.sector_offer(sector, tier + 1, static_cast<std::size_t>(c)), plan));
            r.children.push_back(std::move(rows));
        }
    return r;
}

nlohmann::json report_json(const unit_report& r) {
    nlohmann::json j = {{"level", level_name(r.unit.lvl)},
                        {"code", r.unit.code},
                        {"name", r.unit.name},
                        {"parent", r.unit.parent},
                        {"population", round2(r.unit.population)},
                        {"year", r.year}};
    if (!r.scenario.empty()) j["scenario"] = r.scenario;
    j["total"] = offer_json(r.unit.values);
    j["sectors"] = nlohmann::json::array();
    for (const auto& s : r.sectors) {
        nlohmann::json row = row_json(s);
        row["typologies"] = nlohmann::json::array();
        for (const auto& t : r.typologies)
            if (t.sector == s.sector) row["typologies"].push_back(row_json(t));
        j["sectors"].push_back(std::move(row));
    }
    j["children"] = nlohmann::json::array();
    for (const auto& child : r.children) {
        if (child.empty()) continue;
        nlohmann::json c = {{"level", level_name(child.front().lvl)},
                            {"code", child.front().code},
                            {"name", child.front().name},
                            {"population", round2(child.front().population)}};
        c["sectors"] = nlohmann::json::array();
        for (const auto& s : child) c["sectors"].push_back(row_json(s));
        j["children"].push_back(std::move(c));
    }
    // Which projects close the unit's gaps and how far along they are.
    j["projects"] = nlohmann::json::array();
    for (const auto& [p, g] : r.projects) j["projects"].push_back(project_json(p, g));
    return j;
}

nlohmann::json project_json(const project& p, const project_progress& g) {
    auto pct = [](const std::optional<double>& v) { return v ? nlohmann::json(round2(*v)) : nlohmann::json(); };
    nlohmann::json milestones = nlohmann::json::array();
    for (const auto& m : p.milestones) milestones.push_back({{"date", m.date}, {"name", m.name}});
    char period[16] = "";
    if (g.year) std::snprintf(period, sizeof period, "%04d-%02d", g.year, g.month);
    return {{"code", p.code},
            {"name", p.name},
            {"sector", p.sector},
            {"kind", kind_name(p.kind)},
            {"typology", p.typology},
            {"status", status_name(p.status)},
            {"unit_code", p.unit_code},
            {"investment", p.investment},
            {"recurrent", p.recurrent},
            {"own_funds", p.own_funds},
            {"transfers", p.transfers},
            {"debt", p.debt},
            {"international", p.international},
            {"start", p.start},
            {"end", p.end},
            {"milestones", milestones},
            {"entity", p.entity},
            {"establishment", p.establishment},
            {"physical_progress", pct(p.physical_progress)},
            {"period", g.year ? nlohmann::json(period) : nlohmann::json()},
            {"codified", g.codified},
            {"accrued", g.accrued},
            {"paid", g.paid},
            {"financial_progress", pct(g.financial_pct)},
            {"executed", round2(g.executed)},
            {"executed_pct", pct(g.executed_pct)},
            {"expected_pct", pct(g.expected_pct)},
            {"variance_pct", pct(g.variance_pct)}};
}

std::string report_csv(const unit_report& r) {
    std::string out = coverage_header;
    for (const auto& s : r.sectors) out += row_csv(s);
    for (const auto& t : r.typologies) out += row_csv(t);
    for (const auto& child : r.children)
        for (const auto& s : child) out += row_csv(s);
    return out;
}

const std::vector<std::string>& ranking_indicators() {
    static const std::vector<std::string> n = {"investment_per_capita", "deficit_per_10k", "coverage_pct", "unfunded",
                                               "closing_year"};
    return n;
}

namespace {

// The plan's unfunded establishments and closing year of a unit for one sector or all.
std::pair<double, std::optional<int>> plan_figures(const closing_plan& plan, const std::string& sector,
                                                   std::size_t tier, std::size_t unit, bool& never) {
    double unfunded = 0;
    std::optional<int> latest;
    never = false;
    for (const auto& s : plan.sectors) {
        if (!sector.empty() && s != sector) continue;
        unfunded += plan.deficit.at(s)[tier][unit].back();
        auto c = plan.closing_year(s, tier, unit);
        if (!c)
            never = true;
        else
            latest = latest ? std::max(*latest, *c) : *c;
    }
    return {unfunded, never ? std::nullopt : latest};
}

// Each unit's attribute value over the population-weighted mean of the tier (1 without a value).
std::vector<double> attribute_weights(const coverage_model& model, std::size_t tier, const std::string& name) {
    const auto& units = model.where().units(tier);
    std::vector<double> w(units.size(), 1.0);
    if (name.empty()) return w;
    const auto& attrs = model.attributes(tier);
    auto a = attrs.find(name);
    if (a == attrs.end()) {
        std::string known;
        for (const auto& [n, v] : attrs) known += (known.empty() ? "" : ", ") + n;
        throw format_error({}, "unknown attribute",
                           "no unit attribute '" + name + "' at the " +
                               std::string(level_name(model.where().level_of(tier))) + " level (" +
                               (known.empty() ? std::string("the store has none: microplan attributes") : known) + ")");
    }
    double xsum = 0, wsum = 0;
    for (std::size_t u = 0; u < units.size(); ++u)
        if (auto v = a->second.find(units[u].code); v != a->second.end()) {
            xsum += v->second * model.population(tier, u);
            wsum += model.population(tier, u);
        }
    if (!(wsum > 0) || !(xsum > 0)) return w;
    const double mean = xsum / wsum;
    for (std::size_t u = 0; u < units.size(); ++u)
        if (auto v = a->second.find(units[u].code); v != a->second.end()) w[u] = v->second / mean;
    return w;
}

}  // namespace

std::vector<ranking_row> rank_units(const coverage_model& model, level lvl, const std::string& sector,
                                    const ranking_options& options) {
    const auto& names = ranking_indicators();
    if (std::find(names.begin(), names.end(), options.by) == names.end())
        throw format_error({}, "unknown indicator",
                           "cannot rank by '" + options.by +
                               "' (investment_per_capita, deficit_per_10k, coverage_pct, unfunded, closing_year)");
    const bool by_plan = options.by == "unfunded" || options.by == "closing_year";
    if (by_plan && !options.plan)
        throw format_error({}, "no plan", "ranking by " + options.by + " needs a plan's budget scenario");
    if (options.by == "closing_year" && !options.weight.empty())
        throw format_error({}, "cannot weight a year", "a closing year cannot be weighted by '" + options.weight + "'");
    std::size_t tier = tier_or_throw(model, lvl);
    const std::vector<double> weights = attribute_weights(model, tier, options.weight);
    std::vector<ranking_row> rows;
    for (std::size_t u = 0; u < model.where().units(tier).size(); ++u) {
        offer o = model.sector_offer(sector, tier, u);
        ranking_row r;
        r.code = model.where().units(tier)[u].code;
        r.name = model.where().units(tier)[u].name;
        r.population = model.population(tier, u);
        r.deficit = o.deficit;
        r.investment = o.investment;
        r.recurrent = o.recurrent;
        r.investment_per_capita = r.population > 0 ? o.investment / r.population : 0;
        r.deficit_per_10k = r.population > 0 ? o.deficit / r.population * 10000.0 : 0;
        r.coverage_pct = o.coverage_pct();
        r.weight = weights[u];
        bool never = false;
        if (options.plan) std::tie(r.unfunded, r.closing_year) = plan_figures(*options.plan, sector, tier, u, never);
        double score = options.by == "investment_per_capita" ? r.investment_per_capita
                       : options.by == "deficit_per_10k"     ? r.deficit_per_10k
                       : options.by == "coverage_pct"        ? 100.0 - r.coverage_pct
                       : options.by == "unfunded"            ? *r.unfunded
                       : never                               ? options.plan->last_year + 1.0
                                                             : r.closing_year.value_or(options.plan->first_year);
        r.score = options.by == "closing_year" ? score : score * r.weight;
        rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const ranking_row& a, const ranking_row& b) {
        if (a.score != b.score) return a.score > b.score;
        return a.code < b.code;
    });
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].rank = static_cast<int>(i + 1);
    return rows;
}

nlohmann::json ranking_json(const std::vector<ranking_row>& rows, const std::string& by) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
        nlohmann::json j = {{"rank", r.rank},
                            {"code", r.code},
                            {"name", r.name},
                            {"population", round2(r.population)},
                            {"deficit", r.deficit},
                            {"investment_cost", round2(r.investment)},
                            {"recurrent_cost", round2(r.recurrent)},
                            {"investment_per_capita", round2(r.investment_per_capita)},
                            {"deficit_per_10k", round2(r.deficit_per_10k)},
                            {"coverage_pct", round2(r.coverage_pct)},
                            {"by", by},
                            {"score", std::round(r.score * 1e4) / 1e4},
                            {"weight", std::round(r.weight * 1e4) / 1e4}};
        if (r.unfunded) {
            j["unfunded"] = *r.unfunded;
            j["closing_year"] = r.closing_year ? nlohmann::json(*r.closing_year) : nlohmann::json(nullptr);
        }
        out.push_back(std::move(j));
    }
    return out;
}

std::string ranking_csv(const std::vector<ranking_row>& rows) {
    std::string out =
        "rank,code,name,population,deficit,investment_cost,recurrent_cost,investment_per_capita,deficit_per_10k,"
        "coverage_pct,weight,score,unfunded,closing_year\n";
    for (const auto& r : rows) {
        out += std::to_string(r.rank) + "," + csv_field(r.code) + "," + csv_field(r.name);
        for (double v : {r.population, r.deficit, r.investment, r.recurrent, r.investment_per_capita, r.deficit_per_10k,
                         r.coverage_pct, r.weight, r.score})
            out += "," + csv_number(v);
        out += "," + (r.unfunded ? csv_number(*r.unfunded) : std::string{}) + "," +
               (r.closing_year ? std::to_string(*r.closing_year) : std::string{}) + "\n";
    }
    return out;
}

std::vector<absence_row> absent_units(const coverage_model& model, level lvl, const std::string& sector) {
    const std::size_t tier = tier_or_throw(model, lvl);
    const auto& units = model.where().units(tier);
    std::vector<std::string> sectors;
    for (const auto& [s, priority] : model.catalogue().sectors())
        if (sector.empty() || s == sector) sectors.push_back(s);
    // Establishments counted in the offer, per unit of the tier and sector.
    std::vector<std::map<std::string, int>> present(units.size());
    const auto& rows = model.establishments();
    for (std::size_t h = 0; h < rows.size(); ++h) {
        if (!model.is_live(h) || !model.counts(h)) continue;
        const auto& e = rows[h];
        if (tier < e.units.size() && e.units[tier] >= 0)
            present[static_cast<std::size_t>(e.units[tier])][e.sector] += 1;
    }
    std::vector<absence_row> out;
    for (std::size_t u = 0; u < units.size(); ++u) {
        if (!(model.population(tier, u) > 0)) continue;
        absence_row r{units[u].code, units[u].name, model.population(tier, u), {}};
        for (const auto& s : sectors) {
            // A network is present where some household is connected.
            const bool here =
                model.network_sector(s) ? model.sector_offer(s, tier, u).current > 0 : present[u].count(s) > 0;
            if (!here) r.sectors.push_back(s);
        }
        if (r.sectors.size() == sectors.size() && !sectors.empty()) out.push_back(std::move(r));
    }
    std::stable_sort(out.begin(), out.end(), [](const absence_row& a, const absence_row& b) {
        return a.population != b.population ? a.population > b.population : a.code < b.code;
    });
    return out;
}

nlohmann::json absence_json(const coverage_model& model, level lvl, const std::string& sector,
                            const std::vector<absence_row>& rows) {
    double people = 0;
    nlohmann::json units = nlohmann::json::array();
    for (const auto& r : rows) {
        people += r.population;
        units.push_back(
            {{"code", r.code}, {"name", r.name}, {"population", round2(r.population)}, {"sectors", r.sectors}});
    }
    const std::size_t tier = tier_or_throw(model, lvl);
    return {{"level", std::string(level_name(lvl))},
            {"sector", sector.empty() ? nlohmann::json(nullptr) : nlohmann::json(sector)},
            {"rule", sector.empty() ? "populated units with no establishment of any sector counted in the offer"
                                    : "populated units with no establishment of the sector counted in the offer"},
            {"units_absent", rows.size()},
            {"units", model.where().units(tier).size()},
            {"population_absent", round2(people)},
            {"absent", std::move(units)}};
}

std::string absence_csv(const std::vector<absence_row>& rows) {
    std::string out = "code,name,population,sectors_absent\n";
    for (const auto& r : rows) {
        std::string sectors;
        for (const auto& s : r.sectors) sectors += (sectors.empty() ? "" : ";") + s;
        out += csv_field(r.code) + "," + csv_field(r.name) + "," + csv_number(r.population) + "," + csv_field(sectors) +
               "\n";
    }
    return out;
}

const std::vector<std::string>& indicator_names() {
    static const std::vector<std::string> n = {"coverage_pct", "establishments_per_10k", "population_within_minutes"};
    return n;
}

std::optional<double> indicator_value(const closing_plan& plan, const std::string& indicator, const std::string& sector,
                                      std::size_t tier, std::size_t unit, std::size_t y) {
    if (indicator == "coverage_pct") {
        auto it = plan.coverage.find(sector);
        if (it == plan.coverage.end()) return std::nullopt;
        return it->second[tier][unit][y];
    }
    if (indicator == "establishments_per_10k") {
        auto it = plan.current.find(sector);
        if (it == plan.current.end()) return std::nullopt;
        double people = plan.population[tier][unit][y];
        if (!(people > 0)) return std::nullopt;
        return it->second[tier][unit][y] / people * 10000.0;
    }
    return std::nullopt;  // population_within_minutes: needs accessibility results
}

std::optional<double> baseline_value(const coverage_model& model, const std::string& indicator,
                                     const std::string& sector, std::size_t tier, std::size_t unit) {
    offer o = model.sector_offer(sector, tier, unit);
    if (indicator == "coverage_pct") return o.coverage_pct();
    if (indicator == "establishments_per_10k") {
        double people = model.population(tier, unit);
        if (!(people > 0)) return std::nullopt;
        return o.current / people * 10000.0;
    }
    return std::nullopt;
}

const std::vector<std::string>& ratio_measures() {
    static const std::vector<std::string> m = {"population", "attribute:NAME", "current:SECTOR", "ideal:SECTOR",
                                               "deficit:SECTOR"};
    return m;
}

bool is_ratio_measure(const std::string& m) {
    if (m == "population") return true;
    for (const char* prefix : {"attribute:", "current:", "ideal:", "deficit:"})
        if (m.rfind(prefix, 0) == 0 && m.size() > std::string(prefix).size()) return true;
    return false;
}

namespace {
std::pair<std::string, std::string> split_measure(const std::string& m) {
    const auto colon = m.find(':');
    return colon == std::string::npos ? std::pair{m, std::string()}
                                      : std::pair{m.substr(0, colon), m.substr(colon + 1)};
}
}  // namespace

std::optional<double> measure_value(const coverage_model& model, const std::string& measure, std::size_t tier,
                                    std::size_t unit) {
    const auto [kind, name] = split_measure(measure);
    if (kind == "population") return model.population(tier, unit);
    if (kind == "attribute") {
        const auto& attrs = model.attributes(tier);
        auto a = attrs.find(name);
        if (a == attrs.end()) return std::nullopt;
        auto v = a->second.find(model.where().units(tier)[unit].code);
        return v == a->second.end() ? std::nullopt : std::optional<double>(v->second);
    }
    if (!model.sector_defined_at(name, tier)) return std::nullopt;
    const offer o = model.sector_offer(name, tier, unit);
    if (kind == "current") return o.current;
    if (kind == "ideal") return o.ideal;
    if (kind == "deficit") return o.deficit;
    return std::nullopt;
}

std::optional<double> measure_in_plan(const coverage_model& model, const closing_plan& plan, const std::string& measure,
                                      std::size_t tier, std::size_t unit, std::size_t y) {
    const auto [kind, name] = split_measure(measure);
    if (kind == "population") return plan.population[tier][unit][y];
    if (kind == "attribute") return measure_value(model, measure, tier, unit);
    auto current = plan.current.find(name);
    auto deficit = plan.deficit.find(name);
    if (current == plan.current.end() || deficit == plan.deficit.end()) return std::nullopt;
    const double c = current->second[tier][unit][y], d = deficit->second[tier][unit][y];
    if (kind == "current") return c;
    if (kind == "deficit") return d;
    if (kind == "ideal") return c + d;
    return std::nullopt;
}

std::vector<target> read_targets(const std::string& path) {
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = *ds->GetLayer(0);
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto column = [&](std::initializer_list<const char*> keys) {
        std::vector<std::string> folded;  // "linea_base" as field names compare
        for (const char* k : keys) folded.push_back(names::field_key(k));
        return find_column(defn, folded).value_or(-1);
    };
    int c_ind = column({"indicator", "indicador"}), c_sector = column({"sector"}), c_level = column({"level", "nivel"}),
        c_code = column({"code", "codigo"}), c_year = column({"year", "anio", "ano"}),
        c_target = column({"target", "meta", "value", "valor"}), c_dir = column({"direction", "sentido"}),
        c_ref = column({"baseline", "linea_base", "reference"}),
        c_share = column({"share_of_units", "porcentaje_unidades", "share"}),
        c_na = column({"not_applicable", "no_aplica"}), c_source = column({"source", "fuente"}),
        c_num = column({"numerator", "numerador"}), c_den = column({"denominator", "denominador"}),
        c_scale = column({"scale", "escala", "factor"});
    for (auto [c, name] : {std::pair{c_ind, "indicator"},
                           {c_sector, "sector"},
                           {c_level, "level"},
                           {c_year, "year"},
                           {c_target, "target"}})
        if (c < 0)
            throw format_error(where, "missing column", std::string("the targets table has no ") + name + " column");
    std::vector<target> out;
    std::string problems;
    long long line = 1;
    for (auto& f : layer) {
        ++line;
        auto text = [&](int c) { return c < 0 ? std::string{} : std::string(f->GetFieldAsString(c)); };
        auto bad = [&](const std::string& col, const std::string& msg) {
            problems += "\n  " + path + ", line " + std::to_string(line) + ", column " + col + ": " + msg;
        };
        target t;
        t.line = line;
        t.indicator = text(c_ind);
        const std::string source = names::fold(text(c_source));
        t.observed = source == "OBSERVED" || source == "OBSERVADO";
        if (!source.empty() && !t.observed && source != "PLAN")
            bad("source", "'" + text(c_source) + "' is not plan or observed (observado)");
        t.numerator = text(c_num);
        t.denominator = text(c_den);
        const bool ratio = !t.numerator.empty() || !t.denominator.empty();
        if (ratio) {
            std::string known;
            for (const auto& m : ratio_measures()) known += (known.empty() ? "" : ", ") + m;
            for (auto [col, m] : {std::pair{"numerator", &t.numerator}, {"denominator", &t.denominator}})
                if (!is_ratio_measure(*m)) bad(col, "'" + *m + "' is not a measure (" + known + ")");
            if (std::string sc = text(c_scale); !sc.empty()) {
                auto v = parse_number(sc);
                if (!v || !(*v > 0))
                    bad("scale", "'" + sc + "' is not a positive number");
                else
                    t.scale = *v;
            }
        }
        if ((t.observed || ratio) && t.indicator.empty())
            bad("indicator", "an observed or ratio target names its indicator");
        else if (!t.observed && !ratio &&
                 std::find(indicator_names().begin(), indicator_names().end(), t.indicator) == indicator_names().end())
            bad("indicator", "unknown indicator '" + t.indicator +
                                 "' (coverage_pct, establishments_per_10k, population_within_minutes; or source "
                                 "observed for an indicator of observed values)");
        t.sector = canonical_sector(text(c_sector));
        auto l = parse_level(text(c_level));
        if (!l || *l == level::nation)
            bad("level", "'" + text(c_level) + "' is not a level of units");
        else
            t.lvl = *l;
        t.code = text(c_code);
        auto y = parse_number(text(c_year));
        if (!y || *y < 1900 || *y > 2200 || *y != std::floor(*y))
            bad("year", "'" + text(c_year) + "' is not a year");
        else
            t.year = static_cast<int>(*y);
        auto v = parse_number(text(c_target));
        if (!v || *v < 0)
            bad("target", "'" + text(c_target) + "' is not a non-negative number");
        else
            t.value = *v;
        planning_tables::read_target_options(t, text(c_dir), text(c_ref), text(c_share), text(c_na), bad);
        out.push_back(std::move(t));
    }
    if (!problems.empty()) throw format_error(where, "invalid targets table", "problems:" + problems);
    return out;
}

std::optional<double> standard_minutes(const standards_catalogue& catalogue, const std::string& sector, level lvl) {
    std::optional<double> at_level, any;
    for (const auto& st : catalogue.items) {
        if (st.sector != sector || !st.max_travel_min) continue;
        any = any ? std::min(*any, *st.max_travel_min) : *st.max_travel_min;
        if (st.lvl == lvl) at_level = at_level ? std::min(*at_level, *st.max_travel_min) : *st.max_travel_min;
    }
    return at_level ? at_level : any;
}

namespace {

// An observed target in one unit: the latest value by the target year and the least-squares line
// through every observation, read at the end of the target year.
void observe(indicator_status& st, const std::vector<observation>& observed) {
    std::vector<std::pair<double, double>> points;  // (time, value)
    std::optional<std::pair<double, double>> latest, earliest;
    for (const observation& o : observed) {
        if (o.indicator != st.goal.indicator || o.sector != st.goal.sector || o.lvl != st.goal.lvl || o.code != st.code)
            continue;
        if (date_year(o.period) > st.goal.year) continue;
        const double t = period_time(o.period);
        points.push_back({t, o.value});
        if (!latest || t >= latest->first) latest = std::pair{t, o.value};
        if (!earliest || t < earliest->first) earliest = std::pair{t, o.value};
    }
    if (!latest) {
        st.status = "no_data";
        return;
    }
    st.baseline = latest->second;
    if (!st.goal.reference) st.goal.reference = earliest->second;  // the first observed: the line of departure
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const auto n = static_cast<double>(points.size());
    for (auto [x, y] : points) sx += x, sy += y, sxx += x * x, sxy += x * y;
    const double den = n * sxx - sx * sx;
    const double end = st.goal.year + 11.0 / 12;
    st.at_target_year = points.size() > 1 && std::abs(den) > 1e-12 ? sy / n + (n * sxy - sx * sy) / den * (end - sx / n)
                                                                   : latest->second;
    const double level = target_level(st.goal, *st.goal.reference);
    st.status = reaches(st.goal.direction, st.baseline, level)          ? "met"
                : reaches(st.goal.direction, *st.at_target_year, level) ? "at_risk"
                                                                        : "not_met";
}

}  // namespace

std::vector<indicator_status> evaluate_targets(const coverage_model& model, const closing_plan& plan,
                                               const std::vector<target>& targets, findings& report,
                                               const accessibility_index* access, const light_thresholds& lights,
                                               const std::vector<observation>* observed) {
    std::vector<indicator_status> out;
    for (const auto& goal : targets) {
        if (!goal.not_applicable.empty()) {  // kept in the scorecard with its reason
            indicator_status st;
            st.goal = goal;
            st.code = goal.code.empty() ? "*" : goal.code;
            st.status = "not_applicable";
            out.push_back(std::move(st));
            continue;
        }
        auto tier = model.where().tier_of(goal.lvl);
        auto note = [&](const std::string& msg) {
            finding f;
            f.rule = "targets.not_evaluated";
            f.lvl = goal.lvl;
            f.code = goal.code;
            f.feature = goal.line;
            f.message = "target on line " + std::to_string(goal.line) + ": " + msg;
            report.add(std::move(f));
        };
        if (!tier) {
            note("the territory has no " + std::string(level_table(goal.lvl)));
            continue;
        }
        if (goal.observed) {
            if (!observed || std::none_of(observed->begin(), observed->end(),
                                          [&](const observation& o) { return o.indicator == goal.indicator; })) {
                note("the store holds no observed values of " + goal.indicator + " (microplan observations import)");
                continue;
            }
            if (!goal.code.empty() && !model.where().find(*tier, goal.code)) {
                note("no " + std::string(level_name(goal.lvl)) + " has code " + goal.code);
                continue;
            }
            for (std::size_t u = 0; u < model.where().units(*tier).size(); ++u) {
                const territory_unit& unit = model.where().units(*tier)[u];
                if (!goal.code.empty() && unit.code != goal.code) continue;
                indicator_status st;
                st.goal = goal;
                st.code = unit.code;
                st.name = unit.name;
                observe(st, *observed);
                out.push_back(std::move(st));
            }
            continue;
        }
        std::optional<double> minutes;
        if (goal.indicator == "population_within_minutes") {
            minutes = standard_minutes(model.catalogue(), goal.sector, goal.lvl);
            if (!access || !access->run_for(goal.sector)) {
                note("population within minutes needs accessibility results for " + goal.sector +
                     " (microplan access travel-time), which the store does not hold");
                continue;
            }
            if (!minutes) {
                note("the standards of " + goal.sector + " give no maximum travel time");
                continue;
            }
        }
        const bool ratio = !goal.numerator.empty();
        if (!ratio && !plan.coverage.count(goal.sector)) {
            note("the standards catalogue has no sector '" + goal.sector + "'");
            continue;
        }
        std::vector<std::size_t> units;
        if (goal.code.empty()) {
            for (std::size_t u = 0; u < model.where().units(*tier).size(); ++u) units.push_back(u);
        } else if (auto u = model.where().find(*tier, goal.code)) {
            units.push_back(*u);
        } else {
            note("no " + std::string(level_name(goal.lvl)) + " has code " + goal.code);
            continue;
        }
        std::optional<std::size_t> ty;
        if (goal.year >= plan.first_year && goal.year <= plan.last_year)
            ty = static_cast<std::size_t>(goal.year - plan.first_year);
        else if (goal.year > plan.last_year)
            ty = plan.years() - 1;  // beyond the horizon: the last year planned is the best we know
        for (std::size_t u : units) {
            indicator_status st;
            st.goal = goal;
            st.code = model.where().units(*tier)[u].code;
            st.name = model.where().units(*tier)[u].name;
            // A ratio: scale × numerator / denominator (no value where the denominator is 0).
            auto divide = [&](std::optional<double> n, std::optional<double> d) -> std::optional<double> {
                if (!n || !d || *d == 0) return std::nullopt;
                return goal.scale * *n / *d;
            };
            auto base = ratio     ? divide(measure_value(model, goal.numerator, *tier, u),
                                           measure_value(model, goal.denominator, *tier, u))
                        : minutes ? access->pct_within(goal.sector, goal.lvl, st.code, *minutes)
                                  : baseline_value(model, goal.indicator, goal.sector, *tier, u);
            if (!base) {
                st.status = "no_data";
                out.push_back(std::move(st));
                continue;
            }
            st.baseline = *base;
            if (ty && ratio)
                st.at_target_year = divide(measure_in_plan(model, plan, goal.numerator, *tier, u, *ty),
                                           measure_in_plan(model, plan, goal.denominator, *tier, u, *ty));
            else if (ty && !minutes)
                st.at_target_year = indicator_value(plan, goal.indicator, goal.sector, *tier, u, *ty);
            const double level = target_level(goal, goal.reference.value_or(*base));
            if (reaches(goal.direction, *base, level))
                st.status = "met";
            else if (st.at_target_year && reaches(goal.direction, *st.at_target_year, level))
                st.status = "at_risk";
            else
                st.status = "not_met";
            out.push_back(std::move(st));
        }
    }
    score_targets(out, lights);
    return out;
}

nlohmann::json targets_json(const std::vector<indicator_status>& rows) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
        nlohmann::json j = {{"indicator", r.goal.indicator},
                            {"sector", r.goal.sector},
                            {"level", level_name(r.goal.lvl)},
                            {"code", r.code},
                            {"name", r.name},
                            {"target_year", r.goal.year},
                            {"target", r.goal.value},
                            {"baseline", round2(r.baseline)},
                            {"status", r.status},
                            {"direction", direction_name(r.goal.direction)},
                            {"level_to_reach", round2(r.level)},
                            {"light", r.light},
                            {"source", r.goal.observed ? "observed" : "plan"}};
        j["at_target_year"] = r.at_target_year ? nlohmann::json(round2(*r.at_target_year)) : nlohmann::json(nullptr);
        j["achievement_pct"] = r.achievement ? nlohmann::json(round2(*r.achievement)) : nlohmann::json(nullptr);
        if (r.goal.reference) j["reference"] = *r.goal.reference;
        if (!r.goal.not_applicable.empty()) j["not_applicable"] = r.goal.not_applicable;
        if (r.goal.share_of_units && r.code == "*")
            j["set"] = {{"share_of_units", *r.goal.share_of_units},
                        {"units", r.units},
                        {"required", r.required},
                        {"meeting", r.meeting}};
        out.push_back(std::move(j));
    }
    return out;
}

std::string targets_csv(const std::vector<indicator_status>& rows) {
    std::string out =
        "indicator,sector,level,code,name,target_year,target,baseline,at_target_year,status,direction,level_to_reach,"
        "achievement_pct,light,units,required,meeting,not_applicable\n";
    for (const auto& r : rows) {
        const bool set = r.goal.share_of_units && r.code == "*";
        out += csv_field(r.goal.indicator) + "," + csv_field(r.goal.sector) + "," +
               std::string(level_name(r.goal.lvl)) + "," + csv_field(r.code) + "," + csv_field(r.name) + "," +
               std::to_string(r.goal.year) + "," + csv_number(r.goal.value) + "," + csv_number(r.baseline) + "," +
               (r.at_target_year ? csv_number(*r.at_target_year) : "") + "," + r.status + "," +
               std::string(direction_name(r.goal.direction)) + "," + csv_number(r.level) + "," +
               (r.achievement ? csv_number(*r.achievement) : "") + "," + r.light + "," +
               (set ? std::to_string(r.units) + "," + std::to_string(r.required) + "," + std::to_string(r.meeting)
                    : std::string(",,")) +
               "," + csv_field(r.goal.not_applicable) + "\n";
    }
    return out;
}

namespace {
template <class Emit>
void each_indicator(const coverage_model& model, const closing_plan& plan, level lvl, Emit emit) {
    std::size_t tier = tier_or_throw(model, lvl);
    for (std::size_t u = 0; u < model.where().units(tier).size(); ++u)
        for (const auto& sector : plan.sectors)
            for (std::size_t y = 0; y < plan.years(); ++y)
                for (const char* ind : {"coverage_pct", "establishments_per_10k"})
                    if (auto v = indicator_value(plan, ind, sector, tier, u, y))
                        emit(model.where().units(tier)[u], sector, plan.first_year + static_cast<int>(y), ind, *v);
}
}  // namespace

nlohmann::json indicator_series_json(const coverage_model& model, const closing_plan& plan, level lvl) {
    nlohmann::json out = nlohmann::json::array();
    each_indicator(model, plan, lvl,
                   [&](const territory_unit& u, const std::string& sector, int year, const char* ind, double v) {
                       out.push_back({{"level", level_name(lvl)},
                                      {"code", u.code},
                                      {"sector", sector},
                                      {"year", year},
                                      {"indicator", ind},
                                      {"value", round2(v)}});
                   });
    return out;
}

std::string indicator_series_csv(const coverage_model& model, const closing_plan& plan, level lvl) {
    std::string out = "level,code,sector,year,indicator,value\n";
    each_indicator(model, plan, lvl,
                   [&](const territory_unit& u, const std::string& sector, int year, const char* ind, double v) {
                       out += std::string(level_name(lvl)) + "," + csv_field(u.code) + "," + sector + "," +
                              std::to_string(year) + "," + ind + "," + csv_number(v) + "\n";
                   });
    return out;
}

namespace {

// Percent of a year's GDP, to 4 decimals; null when the GDP is not known.
nlohmann::json pct_of_gdp(double usd, double gdp) {
    if (gdp <= 0) return nullptr;
    return std::round(usd / gdp * 100 * 1e4) / 1e4;
}

double gdp_of(const closing_plan& plan, int year) {
    auto y = static_cast<std::size_t>(year - plan.first_year);
    return y < plan.gdp.size() ? plan.gdp[y] : 0.0;
}

}  // namespace

nlohmann::json plan_json(const coverage_model& model, const closing_plan& plan) {
    nlohmann::json j = {{"scenario", plan.scenario.name},
                        {"scenario_source", plan.scenario.source},
                        {"base_budget", round2(plan.scenario.base_budget)},
                        {"growth", plan.scenario.growth},
                        {"first_year", plan.first_year},
                        {"last_year", plan.last_year}};
    if (plan.scenario.gdp > 0)
        j["gdp"] = {
            {"year", plan.scenario.gdp_year}, {"usd", round2(plan.scenario.gdp)}, {"growth", plan.scenario.gdp_growth}};
    j["years"] = nlohmann::json::array();
    for (std::size_t y = 0; y < plan.years(); ++y) {
        double gdp = y < plan.gdp.size() ? plan.gdp[y] : 0.0;
        j["years"].push_back({{"year", plan.first_year + static_cast<int>(y)},
                              {"budget", round2(plan.budget[y])},
                              {"gdp", gdp > 0 ? nlohmann::json(round2(gdp)) : nlohmann::json(nullptr)},
                              {"budget_pct_gdp", pct_of_gdp(plan.budget[y], gdp)},
                              {"carried_over", round2(plan.carried[y])}});
    }
    j["sectors"] = nlohmann::json::array();
    for (const auto& sector : plan.sectors) {
        const auto& traj = plan.national.at(sector);
        offer start = model.sector_national(sector);
        nlohmann::json s = {
            {"sector", sector}, {"sector_label", sector_label(sector)}, {"counts", counts_of(model, sector)}};
        auto closing = plan.national_closing_year(sector);
        s["closing_year"] = closing ? nlohmann::json(*closing) : nlohmann::json(nullptr);
        if (start.minimum > 0) {
            auto minimum = plan.national_minimum_year(sector);
            s["minimum_year"] = minimum ? nlohmann::json(*minimum) : nlohmann::json(nullptr);
        }
        s["start"] = {{"deficit", start.deficit},
                      {"rehabilitation", start.rehabilitation},
                      {"expansion_places", round2(start.expansion)},
                      {"minimum_deficit", start.minimum_deficit},
                      {"investment_cost", round2(start.investment)},
                      {"recurrent_cost", round2(start.recurrent)},
                      {"coverage_pct", round2(start.coverage_pct())}};
        s["trajectory"] = nlohmann::json::array();
        for (const auto& y : traj)
            s["trajectory"].push_back(
                {{"year", y.year},
                 {"budget", round2(y.budget)},
                 {"budget_pct_gdp", pct_of_gdp(y.budget, gdp_of(plan, y.year))},
                 {"spent_investment", round2(y.spent_investment)},
                 {"spent_recurrent", round2(y.spent_recurrent)},
                 {"spent_pct_gdp", pct_of_gdp(y.spent_investment + y.spent_recurrent, gdp_of(plan, y.year))},
                 {"built", y.built},
                 {"rehabilitated", y.rehabilitated},
                 {"spent_rehabilitation", round2(y.spent_rehabilitation)},
                 {"expanded_places", round2(y.expanded)},
                 {"spent_expansion", round2(y.spent_expansion)},
                 {"deficit", y.deficit},
                 {"pending_rehabilitation", y.pending_rehabilitation},
                 {"pending_expansion_places", round2(y.pending_expansion)},
                 {"minimum_deficit", y.minimum_deficit},
                 {"deficit_investment", round2(y.deficit_investment)},
                 {"coverage_pct", round2(y.coverage_pct)}});
        s["unfunded"] = {{"deficit", traj.back().deficit},
                         {"rehabilitation", traj.back().pending_rehabilitation},
                         {"expansion_places", round2(traj.back().pending_expansion)},
                         {"investment_cost", round2(traj.back().deficit_investment)},
                         {"recurrent_cost", round2(traj.back().deficit_recurrent)}};
        // Territories (top tier and the next) that close late or never.
        nlohmann::json territories = nlohmann::json::array();
        for (std::size_t t = 0; t < model.where().tier_count() && t < 2; ++t)
            for (std::size_t u = 0; u < model.where().units(t).size(); ++u) {
                auto c = plan.closing_year(sector, t, u);
                territories.push_back({{"level", level_name(model.where().level_of(t))},
                                       {"code", model.where().units(t)[u].code},
                                       {"closing_year", c ? nlohmann::json(*c) : nlohmann::json(nullptr)},
                                       {"unfunded", plan.deficit.at(sector)[t][u].back()},
                                       {"unfunded_works", plan.pending.at(sector)[t][u].back()}});
            }
        s["territories"] = std::move(territories);
        j["sectors"].push_back(std::move(s));
    }
    return j;
}

std::string plan_csv(const closing_plan& plan) {
    std::string out =
        "scenario,sector,year,budget,spent_investment,spent_recurrent,built,deficit,deficit_investment,"
        "deficit_recurrent,coverage_pct,closing_year,gdp,budget_pct_gdp,spent_pct_gdp,rehabilitated,"
        "spent_rehabilitation,expanded_places,spent_expansion,pending_rehabilitation,pending_expansion_places,"
        "minimum_deficit\n";
    for (const auto& sector : plan.sectors) {
        auto closing = plan.national_closing_year(sector);
        for (const auto& y : plan.national.at(sector)) {
            out += csv_field(plan.scenario.name) + "," + sector + "," + std::to_string(y.year);
            for (double v : {y.budget, y.spent_investment, y.spent_recurrent, y.built, y.deficit, y.deficit_investment,
                             y.deficit_recurrent, y.coverage_pct})
                out += "," + csv_number(v);
            out += "," + (closing ? std::to_string(*closing) : std::string{});
            double gdp = gdp_of(plan, y.year);
            if (gdp > 0)
                out += "," + csv_number(gdp) + "," + csv_number(pct_of_gdp(y.budget, gdp).get<double>()) + "," +
                       csv_number(pct_of_gdp(y.spent_investment + y.spent_recurrent, gdp).get<double>());
            else
                out += ",,,";
            for (double v : {y.rehabilitated, y.spent_rehabilitation, y.expanded, y.spent_expansion,
                             y.pending_rehabilitation, y.pending_expansion, y.minimum_deficit})
                out += "," + csv_number(v);
            out += "\n";
        }
    }
    return out;
}

nlohmann::json required_json(const coverage_model& model, const required_budget& r) {
    nlohmann::json j = plan_json(model, r.plan);
    nlohmann::json req = {{"close_by", r.close_by},
                          {"rule",
                           "each sector's money is the smallest share of each year's GDP, the same every year, that "
                           "closes its gap in every unit of every level by close_by when earmarked to it (bisection on "
                           "the plan to a relative 1e-4, amounts rounded up to the dollar)"}};
    nlohmann::json sectors = nlohmann::json::array();
    bool gdp_known = r.plan.scenario.gdp > 0;
    for (const auto& s : r.sectors) {
        nlohmann::json e = {{"sector", s.sector}, {"sector_label", sector_label(s.sector)}};
        if (!s.share)
            e["share_pct_gdp"] = nullptr;
        else if (gdp_known)
            e["share_pct_gdp"] = std::round(*s.share * 100 * 1e6) / 1e6;
        e["closes"] = s.share.has_value();
        auto closing = r.plan.national_closing_year(s.sector);
        e["closing_year"] = closing ? nlohmann::json(*closing) : nlohmann::json(nullptr);
        double total = 0, investment = 0, recurrent = 0;
        nlohmann::json path = nlohmann::json::array();
        const auto& traj = r.plan.national.at(s.sector);
        for (const auto& y : traj) {
            auto it = s.path.find(y.year);
            double budget = it == s.path.end() ? 0.0 : it->second;
            total += budget;
            investment += y.spent_investment;
            recurrent += y.spent_recurrent;
            path.push_back({{"year", y.year},
                            {"budget", round2(budget)},
                            {"budget_pct_gdp", pct_of_gdp(budget, gdp_of(r.plan, y.year))},
                            {"investment", round2(y.spent_investment)},
                            {"recurrent", round2(y.spent_recurrent)},
                            {"deficit", y.deficit}});
        }
        e["path"] = std::move(path);
        e["total"] = {{"budget", round2(total)}, {"investment", round2(investment)}, {"recurrent", round2(recurrent)}};
        e["static_cost"] = {{"investment", round2(s.static_investment)},
                            {"recurrent_per_year", round2(s.static_recurrent)},
                            {"rehabilitation", round2(s.static_rehabilitation)},
                            {"expansion", round2(s.static_expansion)}};
        e["dynamic_cost"] = {{"investment", round2(s.dynamic_investment)}, {"recurrent", round2(s.dynamic_recurrent)}};
        sectors.push_back(std::move(e));
    }
    req["sectors"] = std::move(sectors);
    nlohmann::json years = nlohmann::json::array();
    for (std::size_t y = 0; y < r.plan.years(); ++y) {
        double gdp = y < r.plan.gdp.size() ? r.plan.gdp[y] : 0.0;
        years.push_back({{"year", r.plan.first_year + static_cast<int>(y)},
                         {"budget", round2(r.plan.budget[y])},
                         {"budget_pct_gdp", pct_of_gdp(r.plan.budget[y], gdp)}});
    }
    req["years"] = std::move(years);
    j["required"] = std::move(req);
    return j;
}

nlohmann::json optimal_json(const coverage_model& model, const optimal_result& r) {
    nlohmann::json j = plan_json(model, r.plan);
    auto pct = [](double gap) {
        return std::isfinite(gap) ? nlohmann::json(std::round(gap * 1e6) / 1e4) : nlohmann::json(nullptr);
    };
    j["optimisation"] = {
        {"objective",
         "minimise the priority-weighted unserved people-years: for every year, standard and unit, the sector's "
         "priority x the establishments still missing x the people each leaves unserved (demand / ideal)"},
        {"solver", "CBC (COIN-OR), mixed-integer"},
        {"status", r.status},
        {"value", std::round(r.value)},
        {"bound", std::round(r.bound)},
        {"greedy_value", std::round(r.greedy_value)},
        {"greedy_gap_pct", pct(r.greedy_gap())},
        {"greedy_gap_to_bound_pct", pct(r.greedy_gap_to_bound())},
        {"greedy_within_budget", r.greedy_within_budget},
        {"seconds", std::round(r.seconds * 100) / 100},
        {"columns", r.columns},
        {"integers", r.integers},
        {"rows", r.rows},
        {"nonzeros", r.nonzeros}};
    nlohmann::json greedy = nlohmann::json::array();
    for (const auto& sector : r.greedy.sectors) {
        auto c = r.greedy.national_closing_year(sector);
        greedy.push_back({{"sector", sector},
                          {"closing_year", c ? nlohmann::json(*c) : nlohmann::json(nullptr)},
                          {"unfunded", r.greedy.national.at(sector).back().deficit}});
    }
    j["optimisation"]["greedy_sectors"] = std::move(greedy);
    return j;
}

}  // namespace microplan::geo
