// The demo country's ILLUSTRATIVE investment portfolio (issue 20, item 8): projects taken from
// the first years of the demo's greedy plan, recent openings of its registry as finished
// projects, and two years of monthly budget execution (docs/demo.md, "Portfolio").
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/planning/projects.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/demo.hpp"
#include "microplan/geo/usecases/monitoring.hpp"
#include "microplan/geo/usecases/planning.hpp"

namespace microplan::geo::usecases {

namespace {

// A deterministic uniform draw in [0, 1) for (seed, key, salt): splitmix64 of the three.
double draw(std::uint64_t seed, std::uint64_t key, std::uint64_t salt) {
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + key * 0xBF58476D1CE4E5B9ULL + salt * 0x94D049BB133111EBULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) / 9007199254740992.0;
}

// Months as year * 12 + month - 1.
int month_of(int year, int month) { return year * 12 + month - 1; }
std::string month_text(int m) { return geo::month_text(m / 12, m % 12 + 1); }

// The responsible entity of a sector's projects (ILLUSTRATIVE).
std::string entity_of(const std::string& sector) {
    static const std::map<std::string, std::string> entities = {
        {"health", "Ministerio de Salud Pública"},
        {"education", "Ministerio de Educación"},
        {"security", "Ministerio del Interior"},
        {"child_development", "Ministerio de Inclusión Económica y Social"},
        {"water", "GAD municipal (agua potable)"},
        {"sewerage", "GAD municipal (alcantarillado)"},
        {"electricity", "Empresa eléctrica distribuidora"}};
    auto it = entities.find(sector);
    return it == entities.end() ? "GAD provincial" : it->second;
}

// One piece of the plan's work in its first years, made a project.
struct work {
    int year_index = 0;
    std::size_t standard = 0, unit = 0;
    project_kind kind = project_kind::new_establishment;
    double amount = 0;  // establishments, places or households
};

struct builder {
    const coverage_model& model;
    const closing_plan& plan;
    const sectors_catalogue& sectors;
    std::uint64_t seed;
    int today;                                            // the last month of execution
    std::map<std::string, std::array<double, 2>> points;  // unit code -> a point inside it
    std::vector<store::stored_project> projects;
    std::vector<execution_row> execution;

    std::string label(const std::string& sector) const {
        const sector_def* d = sectors.find(sector);
        return d ? d->label_es : sector;
    }

    // The unit's codes down from the standard's level (its first circuit for a point).
    void place(store::stored_project& row, std::size_t s, std::size_t u, std::size_t k) const {
        const territory& t = model.where();
        std::size_t tier = model.standard_tier(s);
        std::size_t unit = u;
        row.attributes.unit_code = model.unit_code(s, u);
        row.attributes.unit_level = t.level_of(tier);
        // Down to a circuit for a point: the k-th child, wrapping.
        std::size_t at_tier = tier, at_unit = unit;
        while (at_tier + 1 < t.tier_count() && !t.children(at_tier, at_unit).empty()) {
            const auto& kids = t.children(at_tier, at_unit);
            at_unit = static_cast<std::size_t>(kids[k % kids.size()]);
            ++at_tier;
        }
        auto it = points.find(t.units(at_tier)[at_unit].code);
        if (it != points.end()) row.attributes.lon = it->second[0], row.attributes.lat = it->second[1];
        // Codes of the unit and its parents.
        for (std::size_t ti = tier, ui = unit;;) {
            const std::string& code = t.units(ti)[ui].code;
            level l = t.level_of(ti);
            (l == level::zone ? row.zone_code : l == level::district ? row.district_code : row.circuit_code) = code;
            int p = t.parent(ti, ui);
            if (ti == 0 || p < 0) break;
            ui = static_cast<std::size_t>(p);
            --ti;
        }
    }

    void finance(project& p, std::uint64_t key) const {
        const double own = 0.4 + 0.6 * draw(seed, key, 11);
        p.own_funds = std::round(p.investment * own);
        const double rest = p.investment - p.own_funds;
        if (draw(seed, key, 12) < 0.15) {
            p.international = std::round(rest * 0.5);
            p.debt = rest - p.international;
        } else {
            p.transfers = rest;
        }
    }

    // Monthly execution from the project's start to today: each year's codified budget is the
    // share of the investment its months hold; accrued follows the months gone at `pace`.
    void execute(const project& p, double pace, int stop) {
        const int start = month_of(std::stoi(p.start.substr(0, 4)), std::stoi(p.start.substr(5, 2)));
        const int end = month_of(std::stoi(p.end.substr(0, 4)), std::stoi(p.end.substr(5, 2)));
        const int months = end - start + 1;
        for (int m = std::max(start, today - 23); m <= std::min(today, end); ++m) {
            const int year = m / 12;
            const int first = std::max(start, year * 12), last = std::min(end, year * 12 + 11);
            if (last < first) continue;
            const double codified = std::round(p.investment * (last - first + 1) / months);
            const int gone = std::clamp(std::min(m, stop) - first + 1, 0, last - first + 1);
            const double accrued = std::round(codified * pace * gone / (last - first + 1));
            const double committed = std::min(codified, std::round(accrued + 0.3 * (codified - accrued)));
            execution.push_back(
                {0, p.code, year, m % 12 + 1, codified, committed, accrued, std::round(accrued * 0.93)});
        }
    }

    void add_work(const work& w, std::size_t k) {
        const standard& st = model.catalogue().items[w.standard];
        const std::uint64_t key = projects.size() + 1;
        store::stored_project row;
        project& p = row.attributes;
        const int year = plan.first_year + w.year_index;
        char code[32];
        std::snprintf(code, sizeof code, "D%d-%04zu", year, projects.size() + 1);
        p.code = code;
        p.sector = st.sector;
        p.typology = st.typology;
        p.kind = w.kind;
        place(row, w.standard, w.unit, k);
        const std::string where = model.where().units(model.standard_tier(w.standard))[w.unit].name;
        int months = 0;
        switch (w.kind) {
            case project_kind::new_establishment:
                p.name = "Construcción de " + st.typology + " en " + where;
                p.investment = st.investment_cost;
                p.recurrent = st.recurrent_cost;
                months = 18 + static_cast<int>(12 * draw(seed, key, 1));
                break;
            case project_kind::rehabilitation:
                p.name = "Rehabilitación de " + st.typology + " en " + where;
                p.investment = st.rehabilitation_usd() * w.amount;
                months = 8 + static_cast<int>(6 * draw(seed, key, 1));
                break;
            case project_kind::expansion:
                p.name = "Ampliación de " + st.typology + " en " + where + " (" +
                         std::to_string(static_cast<long long>(w.amount)) + " plazas)";
                p.investment = st.expansion_cost * w.amount;
                p.recurrent = st.capacity > 0 ? st.recurrent_cost * w.amount / st.capacity : 0;
                months = 10 + static_cast<int>(6 * draw(seed, key, 1));
                break;
            default:
                p.name = "Extensión de la red de " + label(st.sector) + " en " + where + " (" +
                         std::to_string(static_cast<long long>(w.amount)) + " hogares)";
                p.investment = st.investment_cost * w.amount;
                p.recurrent = st.recurrent_cost * w.amount;
                months = 12 + static_cast<int>(12 * draw(seed, key, 1));
        }
        p.investment = std::round(p.investment);
        p.recurrent = std::round(p.recurrent);
        const int start = month_of(year, 1 + static_cast<int>(6 * draw(seed, key, 2)));
        p.start = month_text(start);
        p.end = month_text(start + months - 1);
        if (w.kind == project_kind::new_establishment)
            p.milestones = {
                {p.start, "inicio de obra"}, {month_text(start + months / 2), "obra gris"}, {p.end, "apertura"}};
        p.entity = entity_of(st.sector);
        finance(p, key);
        // Status as of today: started -> in execution (a few suspended), else funded the next
        // year, planned after.
        const double pace = 0.5 + 0.55 * draw(seed, key, 3);
        if (start <= today) {
            const bool suspended = draw(seed, key, 4) < 0.04;
            p.status = suspended ? project_status::suspended : project_status::in_execution;
            const int stop = suspended ? start + (today - start) / 2 : today;
            execute(p, std::min(pace, 1.0), stop);
            const double elapsed = std::min(1.0, (std::min(stop, today) - start + 1.0) / months);
            p.physical_progress = std::round(std::min(100.0, 100 * elapsed * std::min(pace, 1.0)));
        } else {
            p.status = start <= today + 12 ? project_status::funded : project_status::planned;
            p.physical_progress = 0;
        }
        projects.push_back(std::move(row));
    }
};

// The first years' work of the plan: each new establishment, the rehabilitations and the places
// of expansion of a unit and year, and each network's households connected in a unit and year.
std::vector<work> plan_work(const coverage_model& model, const closing_plan& plan, int years) {
    std::vector<work> out;
    const build_schedule& sch = plan.schedule;
    for (std::size_t s = 0; s < model.catalogue().items.size() && s < sch.built.size(); ++s) {
        if (!model.active(s) || model.national_level(s)) continue;
        const bool network = model.network_sector(model.catalogue().items[s].sector);
        for (std::size_t u = 0; u < sch.built[s].size(); ++u)
            for (int y = 0; y < years && y < static_cast<int>(sch.built[s][u].size()); ++y) {
                const auto yi = static_cast<std::size_t>(y);
                const double built = sch.built[s][u][yi];
                if (network && built >= 1) out.push_back({y, s, u, project_kind::network_extension, std::round(built)});
                if (!network)
                    for (int k = 0; k < static_cast<int>(std::round(built)); ++k)
                        out.push_back({y, s, u, project_kind::new_establishment, 1});
                if (!sch.rehabilitated.empty() && sch.rehabilitated[s][u][yi] >= 1)
                    out.push_back({y, s, u, project_kind::rehabilitation, std::round(sch.rehabilitated[s][u][yi])});
                if (!sch.expanded.empty() && sch.expanded[s][u][yi] >= 1)
                    out.push_back({y, s, u, project_kind::expansion, std::round(sch.expanded[s][u][yi])});
            }
    }
    return out;
}

// Up to `cap` pieces of work of year y, taken in turn from each sector, each sector's in an
// order drawn from the seed so that they spread over the country.
std::vector<work> take_round_robin(const coverage_model& model, const std::vector<work>& all, int y, std::size_t cap,
                                   std::uint64_t seed) {
    std::map<std::string, std::vector<std::pair<double, work>>> by_sector;
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].year_index == y)
            by_sector[model.catalogue().items[all[i].standard].sector].push_back({draw(seed, i, 30), all[i]});
    for (auto& [sector, list] : by_sector)
        std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<work> out;
    for (std::size_t i = 0; out.size() < cap; ++i) {
        bool any = false;
        for (auto& [sector, list] : by_sector) {
            if (i >= list.size() || out.size() >= cap) continue;
            out.push_back(list[i].second);
            any = true;
        }
        if (!any) break;
    }
    return out;
}

// Recent openings of the registry, each the finished project that built it.
void add_openings(builder& b, const std::vector<store::stored_establishment>& registry, std::size_t count) {
    const standards_catalogue& catalogue = b.model.catalogue();
    std::size_t taken = 0;
    for (const store::stored_establishment& s : registry) {
        const establishment& e = s.attributes;
        if (taken >= count) break;
        if (e.id.empty() || e.condition != "good" || !std::isfinite(e.lon) || draw(b.seed, e.row, 20) > 0.02) continue;
        const standard* st = nullptr;
        for (const auto& c : catalogue.items)
            if (c.sector == e.sector && (c.typology == e.typology || (!st && c.typology == "*"))) st = &c;
        if (!st) continue;
        store::stored_project row;
        project& p = row.attributes;
        const std::uint64_t key = 100000 + taken;
        char code[32];
        const int end = b.today - 1 - static_cast<int>(18 * draw(b.seed, key, 1));
        const int start = std::max(b.today - 23, end - 8 - static_cast<int>(7 * draw(b.seed, key, 2)));
        std::snprintf(code, sizeof code, "D%d-F%03zu", start / 12, ++taken);
        p.code = code;
        p.name = "Construcción de " + e.typology + (e.name.empty() ? "" : " " + e.name);
        p.sector = e.sector;
        p.typology = e.typology;
        p.kind = project_kind::new_establishment;
        p.status = project_status::finished;
        p.lon = e.lon;
        p.lat = e.lat;
        p.investment = std::round(st->investment_cost);
        p.recurrent = std::round(st->recurrent_cost);
        p.start = month_text(start);
        p.end = month_text(end);
        p.milestones = {{p.start, "inicio de obra"}, {p.end, "apertura"}};
        p.physical_progress = 100;
        p.entity = entity_of(e.sector);
        p.establishment = e.id;
        b.finance(p, key);
        row.zone_code = s.code(level::zone);
        row.district_code = s.code(level::district);
        row.circuit_code = s.code(level::circuit);
        p.unit_code = row.circuit_code;
        p.unit_level = level::circuit;
        b.execute(p, 1.0, b.today);
        b.projects.push_back(std::move(row));
    }
}

}  // namespace

std::vector<observation> demo_observations(const std::map<level, std::map<std::string, double>>& poverty, int last_year,
                                           std::uint64_t seed) {
    std::vector<observation> out;
    std::uint64_t key = 0;
    for (level lvl : {level::zone, level::district}) {
        const auto found = poverty.find(lvl);
        if (found == poverty.end()) continue;
        for (const auto& [code, nbi] : found->second) {
            ++key;
            // About Ecuador's 20 % (ENDI 2023) where half the people have unmet needs.
            double value = 6 + 0.28 * nbi + 4 * (draw(seed, key, 40) - 0.5);
            const double fall = 0.3 + 0.8 * draw(seed, key, 41);
            for (int year = 2022; year <= last_year; ++year) {
                observation o;
                o.indicator = "chronic_malnutrition_pct";
                o.lvl = lvl;
                o.code = code;
                o.period = std::to_string(year);
                o.value = std::round(std::max(2.0, value) * 10) / 10;
                o.note = "ILLUSTRATIVE (demo)";
                out.push_back(std::move(o));
                value -= fall + 0.6 * (draw(seed, key, 42 + static_cast<std::uint64_t>(year)) - 0.5);
            }
        }
    }
    return out;
}

demo_portfolio_summary build_demo_portfolio(const std::string& store_path, const demo::country& c, std::uint64_t seed) {
    planning_request request;
    request.store = store_path;
    planning_session session = open_planning(request);
    const closing_plan plan = plan_for(*session.model, *session.inputs, {});
    std::vector<store::stored_establishment> registry;
    sectors_catalogue sectors;
    {
        auto db = store::open_store(store_path, store::open_mode::read_only);
        registry = db->read_establishments();
        sectors = db->read_sectors().value_or(builtin_sectors());
    }
    // Today, for the demo: the end of the plan's second year (two years of execution).
    builder b{*session.model, plan, sectors, seed, month_of(plan.first_year + 1, 12), {}, {}, {}};
    for (const unit_layer* l : {&c.zones, &c.districts, &c.circuits})
        for (const auto& u : l->units)
            if (u.geometry) b.points[u.code] = geos::point_on_surface(u.geometry.get());
    const std::vector<work> all = plan_work(*session.model, plan, 4);
    const std::size_t caps[] = {110, 90, 60, 40};
    for (int y = 0; y < 4; ++y) {
        std::size_t k = 0;
        for (const work& w : take_round_robin(*session.model, all, y, caps[y], seed)) b.add_work(w, k++);
    }
    add_openings(b, registry, 40);
    demo_portfolio_summary out;
    out.projects = b.projects.size();
    for (const auto& row : b.projects) out.finished += row.attributes.status == project_status::finished ? 1 : 0;
    out.execution_rows = b.execution.size();
    for (std::size_t i = 0; i < b.execution.size(); ++i) b.execution[i].line = static_cast<long long>(i + 2);
    const std::string source = "microplan demo --seed " + std::to_string(seed) + " (portfolio, ILLUSTRATIVE)";
    store::update_atomically(store_path, [&](store::planning_store& db) {
        db.write_projects(b.projects, {level::circuit, source, "", "projects", "EPSG:4326", "", 0}, {});
        db.write_execution(b.execution, {level::circuit, source, "", "execution", "", "", 0}, {});
    });
    return out;
}

}  // namespace microplan::geo::usecases
