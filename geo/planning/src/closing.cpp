#include "microplan/geo/planning/closing.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

#include "microplan/geo/error.hpp"
#include "microplan/geo/model/bounds.hpp"

namespace microplan::geo {

std::vector<budget_scenario> standard_scenarios(double moderate_base, double moderate_growth) {
    std::vector<budget_scenario> out(3);
    out[0].name = "optimistic", out[0].base_budget = 1.25 * moderate_base, out[0].growth = 0.07;
    out[1].name = "moderate", out[1].base_budget = moderate_base, out[1].growth = moderate_growth;
    out[2].name = "pessimistic", out[2].base_budget = 0.75 * moderate_base, out[2].growth = 0.02;
    return out;
}

double budget_scenario::gdp_in(int year) const {
    if (gdp <= 0) return 0;
    return gdp * std::pow(1.0 + gdp_growth, static_cast<double>(year - gdp_year));
}

namespace {

// A path's amount of a year; a year it does not name has no money.
double amount_in(const std::map<int, double>& path, int year) {
    auto it = path.find(year);
    return it == path.end() ? 0.0 : it->second;
}

}  // namespace

double budget_scenario::budget_in(int year, int first_year) const {
    if (!path.empty()) return amount_in(path, year);
    if (!sector_paths.empty()) return 0;
    return base_budget * std::pow(1.0 + growth, static_cast<double>(year - first_year));
}

std::vector<population_values> population_for_year(const population_by_year& years, int year) {
    if (years.empty()) return {};
    auto hi = years.lower_bound(year);
    if (hi == years.end()) return std::prev(hi)->second;
    if (hi->first == year || hi == years.begin()) return hi->second;
    auto lo = std::prev(hi);
    double w = static_cast<double>(year - lo->first) / static_cast<double>(hi->first - lo->first);
    std::vector<population_values> out = lo->second;
    for (std::size_t t = 0; t < out.size() && t < hi->second.size(); ++t)
        for (auto& [band, values] : out[t]) {
            auto b = hi->second[t].find(band);
            if (b == hi->second[t].end()) continue;
            for (auto& [code, v] : values) {
                auto h = b->second.find(code);
                if (h != b->second.end()) v += w * (h->second - v);
            }
        }
    return out;
}

namespace {

std::optional<int> closing_of(const std::vector<double>& per_year, int first_year) {
    std::optional<std::size_t> last_open;
    for (std::size_t y = 0; y < per_year.size(); ++y)
        if (per_year[y] > 0) last_open = y;
    if (!last_open) return first_year;
    if (*last_open + 1 >= per_year.size()) return std::nullopt;
    return first_year + static_cast<int>(*last_open) + 1;
}

struct candidate {
    bool below_minimum;
    double coverage;
    double demand;
    const std::string* code;
    std::size_t s, unit;
};

// Below the minimum operable offer first; then lowest coverage; larger demand; code; standard.
struct later {
    bool operator()(const candidate& a, const candidate& b) const {
        if (a.below_minimum != b.below_minimum) return b.below_minimum;
        if (a.coverage != b.coverage) return a.coverage > b.coverage;
        if (a.demand != b.demand) return a.demand < b.demand;
        if (*a.code != *b.code) return *a.code > *b.code;
        return a.s > b.s;
    }
};

// What one unit of a kind of work costs: a rehabilitation, a place added, an establishment built
// (a household connected, for networks).
double unit_cost(const standard& st, unit_years build_schedule::*what) {
    return what == &build_schedule::rehabilitated ? st.rehabilitation_usd()
           : what == &build_schedule::expanded    ? st.expansion_cost
                                                  : st.investment_cost;
}

// One piece of work in a unit: its kind, how much and its cost.
struct step {
    unit_years build_schedule::*what;
    double amount = 0;  // establishments, places or households
    double cost = 0;
};

// The next work a unit needs for a standard: rehabilitate a poor establishment, else expand the
// existing ones (at most one establishment's places at a time), else build one (a network: connect
// up to `capacity` households, all that are missing without one).
std::optional<step> next_step(const standard& st, const offer& o) {
    auto make = [&](unit_years build_schedule::*what, double amount) {
        return step{what, amount, amount * unit_cost(st, what)};
    };
    if (o.rehabilitation > 0) return make(&build_schedule::rehabilitated, 1);
    if (o.expansion > 0) return make(&build_schedule::expanded, std::min(o.expansion, st.capacity));
    if (o.deficit > 0 && st.rule == standard_rule::households)
        return make(&build_schedule::built, st.capacity > 0 ? std::min(o.deficit, st.capacity) : o.deficit);
    if (o.deficit > 0) return make(&build_schedule::built, 1);
    return std::nullopt;
}

// Work of each kind done so far by the plan, per standard (for recurrent costs and sizes).
struct work_totals {
    std::vector<double> built, expanded;
    explicit work_totals(std::size_t n) : built(n, 0.0), expanded(n, 0.0) {}
    // The yearly running cost of what the plan built and expanded for standard s.
    [[nodiscard]] double recurrent(const standard& st, std::size_t s) const {
        return built[s] * st.recurrent_cost + (st.capacity > 0 ? expanded[s] / st.capacity * st.recurrent_cost : 0.0);
    }
};

class allocator {
public:
    allocator(coverage_model& model, work_totals& totals, build_schedule& schedule)
        : model_(model), totals_(totals), schedule_(schedule) {}
    void start_year(std::size_t index) { year_ = index; }

    // The sector's candidates: units with work left for one of its standards.
    [[nodiscard]] std::vector<candidate> candidates(const std::string& sector) const {
        std::vector<candidate> out;
        const auto& items = model_.catalogue().items;
        for (std::size_t s = 0; s < items.size(); ++s) {
            if (items[s].sector != sector) continue;
            for (std::size_t u = 0; u < model_.unit_count(s); ++u)
                if (const offer& o = model_.own(s, u); o.open()) out.push_back(make(s, u, o));
        }
        return out;
    }

    // The cheapest work the sector still needs somewhere (infinity when none).
    [[nodiscard]] double cheapest(const std::string& sector) const {
        double best = INFINITY;
        const auto& items = model_.catalogue().items;
        for (std::size_t s = 0; s < items.size(); ++s) {
            const standard& st = items[s];
            if (st.sector != sector || !model_.active(s)) continue;
            const offer& n = model_.national(s);
            if (n.deficit > 0)  // a network's smallest project: one household (a lower bound)
                best = std::min(best, st.investment_cost);
            if (n.rehabilitation > 0) best = std::min(best, st.rehabilitation_usd());
            if (n.expansion > 0)
                for (std::size_t u = 0; u < model_.unit_count(s); ++u)
                    if (const offer& o = model_.own(s, u); o.expansion > 0)
                        best = std::min(best, std::min(o.expansion, st.capacity) * st.expansion_cost);
        }
        return best;
    }

    // Funds the sector's neediest units within `envelope`; returns what was spent.
    // Terminates: every pass either drops a candidate or does one piece of work, which lowers
    // that unit's rehabilitations by 1, its places to expand by the piece, or its deficit by 1
    // (whole numbers below max_plan_establishments, exact in a double); so passes <= candidates
    // + the sector's work, checked below.
    double fund(const std::string& sector, double envelope, sector_year& stats) {
        std::priority_queue<candidate, std::vector<candidate>, later> queue;
        double passes_left = 1;
        for (const auto& c : candidates(sector)) {
            queue.push(c);
            const standard& st = model_.catalogue().items[c.s];
            const offer& o = model_.own(c.s, c.unit);
            passes_left +=
                2 + o.deficit + o.rehabilitation + (st.capacity > 0 ? std::ceil(o.expansion / st.capacity) : 0);
        }
        double spent = 0;
        while (!queue.empty()) {
            if (--passes_left < 0)
                throw format_error({model_.catalogue().source, {}, {}, {}, {}}, "plan makes no progress",
                                   "funding " + sector +
                                       " took more steps than its deficit allows; a value of the catalogue or of "
                                       "the population is out of range");
            candidate c = queue.top();
            queue.pop();
            const standard& st = model_.catalogue().items[c.s];
            const offer& before = model_.own(c.s, c.unit);
            auto work = next_step(st, before);
            if (!work || work->cost > envelope - spent) continue;  // a cheaper one may still fit
            spent += record(c.s, c.unit, work->what, work->amount, stats);
            const offer& o = model_.own(c.s, c.unit);
            if (o.open()) queue.push(make(c.s, c.unit, o));
        }
        return spent;
    }

    // Does what `fixed` says for this year; returns what it cost.
    double build(const build_schedule& fixed, std::map<std::string, sector_year>& stats) {
        double spent = 0;
        const auto& items = model_.catalogue().items;
        for (auto what : {&build_schedule::rehabilitated, &build_schedule::expanded, &build_schedule::built}) {
            const unit_years& plan = fixed.*what;
            for (std::size_t s = 0; s < plan.size() && s < items.size(); ++s)
                for (std::size_t u = 0; u < plan[s].size(); ++u) {
                    const double n = year_ < plan[s][u].size() ? plan[s][u][year_] : 0;
                    if (n > 0) spent += record(s, u, what, n, stats[items[s].sector]);
                }
        }
        return spent;
    }

private:
    // Does `amount` of a kind of work in a unit and counts it in the sector's year; returns its cost.
    double record(std::size_t s, std::size_t u, unit_years build_schedule::*what, double amount, sector_year& sy) {
        apply(s, u, what, amount);
        const double cost = amount * unit_cost(model_.catalogue().items[s], what);
        sy.spent_investment += cost;
        if (what == &build_schedule::rehabilitated)
            sy.rehabilitated += amount, sy.spent_rehabilitation += cost;
        else if (what == &build_schedule::expanded)
            sy.expanded += amount, sy.spent_expansion += cost;
        else
            sy.built += amount;
        return cost;
    }

    [[nodiscard]] candidate make(std::size_t s, std::size_t u, const offer& o) const {
        return {o.minimum_deficit > 0, o.coverage_pct(), o.demand, &model_.unit_code(s, u), s, u};
    }

    void apply(std::size_t s, std::size_t u, unit_years build_schedule::*what, double amount) {
        if (what == &build_schedule::rehabilitated) {
            model_.add_rehabilitated(s, u, amount);
        } else if (what == &build_schedule::expanded) {
            model_.add_expanded(s, u, amount);
            totals_.expanded[s] += amount;
        } else {
            model_.add_built(s, u, amount);
            totals_.built[s] += amount;
        }
        (schedule_.*what)[s][u][year_] += amount;
    }

    coverage_model& model_;
    work_totals& totals_;
    build_schedule& schedule_;
    std::size_t year_ = 0;
};

}  // namespace

std::optional<int> closing_plan::closing_year(const std::string& sector, std::size_t tier, std::size_t unit) const {
    auto it = deficit.find(sector);
    if (it == deficit.end() || tier >= it->second.size() || unit >= it->second[tier].size()) return std::nullopt;
    std::vector<double> open = it->second[tier][unit];
    if (auto p = pending.find(sector); p != pending.end())
        for (std::size_t y = 0; y < open.size() && y < p->second[tier][unit].size(); ++y)
            open[y] += p->second[tier][unit][y];
    return closing_of(open, first_year);
}

std::optional<int> closing_plan::national_closing_year(const std::string& sector) const {
    auto it = national.find(sector);
    if (it == national.end()) return std::nullopt;
    std::vector<double> d;
    for (const auto& y : it->second) d.push_back(y.deficit + y.pending_rehabilitation + y.pending_expansion);
    return closing_of(d, first_year);
}

std::optional<int> closing_plan::national_minimum_year(const std::string& sector) const {
    auto it = national.find(sector);
    if (it == national.end()) return std::nullopt;
    std::vector<double> d;
    for (const auto& y : it->second) d.push_back(y.minimum_deficit);
    return closing_of(d, first_year);
}

namespace {

// The horizon and the budget scenario, checked before any work (bounds.hpp).
void check_plan_options(const plan_options& opt) {
    const error_location where{};
    for (int y : {opt.first_year, opt.last_year})
        if (!bounds::within(y, bounds::year))
            throw format_error(where, "year out of range",
                               "the plan runs from " + std::to_string(opt.first_year) + " to " +
                                   std::to_string(opt.last_year) + "; " + bounds::violation(y, bounds::year));
    if (opt.last_year - opt.first_year + 1 > bounds::max_plan_years)
        throw format_error(where, "horizon too long",
                           "the plan runs from " + std::to_string(opt.first_year) + " to " +
                               std::to_string(opt.last_year) + "; a plan covers at most " +
                               std::to_string(bounds::max_plan_years) + " years");
    if (!bounds::within(opt.scenario.base_budget, bounds::budget_usd))
        throw format_error(where, "budget out of range",
                           "the base budget " + bounds::violation(opt.scenario.base_budget, bounds::budget_usd));
    if (!bounds::within(opt.scenario.growth, bounds::budget_growth))
        throw format_error(where, "growth out of range",
                           "the budget growth " + bounds::violation(opt.scenario.growth, bounds::budget_growth));
    auto check_path = [&](const std::map<int, double>& path, const std::string& whose) {
        for (const auto& [year, amount] : path)
            if (!bounds::within(amount, bounds::budget_usd))
                throw format_error(where, "budget out of range",
                                   "the budget of " + std::to_string(year) + whose + " " +
                                       bounds::violation(amount, bounds::budget_usd));
    };
    check_path(opt.scenario.path, "");
    for (const auto& [sector, path] : opt.scenario.sector_paths) check_path(path, " for " + sector);
}

// The establishments still missing plus those already built must stay countable: beyond
// max_plan_establishments the standards or the population are wrong (a people_per_unit of 0.001,
// a population of 1e9 in a circuit), and the one-at-a-time allocation would run for hours.
void check_plan_size(const coverage_model& model, const work_totals& done, int year) {
    const auto& items = model.catalogue().items;
    double total = 0, worst = -1;
    std::size_t worst_s = 0;
    for (std::size_t s = 0; s < items.size(); ++s) {
        if (!model.active(s)) continue;
        const offer& n = model.national(s);
        const double places = items[s].capacity > 0 ? (n.expansion + done.expanded[s]) / items[s].capacity : 0.0;
        // A network's deficit and work are households: counted in projects of `capacity` households.
        const double per = items[s].rule == standard_rule::households ? std::max(1.0, items[s].capacity) : 1.0;
        double d = n.deficit / per + n.rehabilitation + places;
        total += d + done.built[s] / per;
        if (d > worst) worst = d, worst_s = s;
    }
    if (total <= bounds::max_plan_establishments) return;
    const standard& st = items[worst_s];
    char count[64];
    std::snprintf(count, sizeof count, "%.6g", worst);
    throw format_error({model.catalogue().source, {}, st.line, "people_per_unit", {}}, "plan too large",
                       "in " + std::to_string(year) + " the plan would have to build more than " +
                           std::to_string(static_cast<long long>(bounds::max_plan_establishments)) +
                           " establishments; the " + st.sector + " standard for " + st.typology + " alone misses " +
                           count + " for " + std::to_string(static_cast<long long>(model.national_population())) +
                           " people: check its people_per_unit and the population");
}

// Shares the pool by priority among the sectors that can still spend (not the earmarked ones);
// returns what was spent.
double share_pool(allocator& alloc, const coverage_model& model,
                  const std::vector<std::pair<std::string, double>>& sectors,
                  const std::map<std::string, double>& earmarked, double pool,
                  std::map<std::string, sector_year>& stats, int year) {
    const auto& items = model.catalogue().items;
    const double available = pool;
    // Share the pool by priority among sectors that can still spend; re-share what
    // they leave until nothing more fits. Every round builds at least one establishment
    // or stops, so rounds <= the year's deficit + 1 (checked).
    double rounds_left = 1;
    for (std::size_t s = 0; s < items.size(); ++s)
        if (model.active(s)) rounds_left += model.national(s).deficit;
    while (true) {
        if (--rounds_left < 0)
            throw format_error({model.catalogue().source, {}, {}, {}, {}}, "plan makes no progress",
                               "the budget of " + std::to_string(year) +
                                   " was shared more times than there are establishments missing");
        std::vector<std::pair<std::string, double>> open;
        double total_priority = 0;
        for (const auto& [sector, priority] : sectors)
            if (!earmarked.count(sector) && alloc.cheapest(sector) <= pool) {
                open.emplace_back(sector, priority);
                total_priority += priority;
            }
        if (open.empty()) break;
        double spent_round = 0;
        for (const auto& [sector, priority] : open) {
            double share = pool * priority / total_priority;
            stats[sector].budget += share;
            spent_round += alloc.fund(sector, share, stats[sector]);
        }
        if (spent_round == 0) {
            // Every share was too small for one establishment: the whole pool goes to
            // the sectors in priority order.
            std::stable_sort(open.begin(), open.end(),
                             [](const auto& a, const auto& b) { return a.second > b.second; });
            for (const auto& [sector, priority] : open) {
                spent_round = alloc.fund(sector, pool, stats[sector]);
                if (spent_round > 0) break;
            }
            if (spent_round == 0) break;
        }
        pool -= spent_round;
    }
    return available - pool;
}

}  // namespace

namespace {

// The people of every year of a plan, counted once (the year's population, its filled tiers and
// every standard's demand): the search of a required budget simulates the same years over a
// hundred times. Without a population by year it holds nothing and the model keeps its people.
class plan_people {
public:
    plan_people(const coverage_model& base, const population_by_year& people, const plan_options& opt)
        : first_year_(opt.first_year) {
        if (people.empty()) return;
        for (int year = opt.first_year; year <= std::max(opt.first_year, opt.last_year); ++year)
            years_.push_back(base.count_people(population_for_year(people, year)));
    }
    void set(coverage_model& model, int year) const {
        if (!years_.empty()) model.set_people(years_.at(static_cast<std::size_t>(year - first_year_)));
    }

private:
    int first_year_;
    std::vector<std::shared_ptr<const coverage_model::year_people>> years_;
};

// The plan's simulation. With `only`, the plan of that sector alone: the other sectors are
// neither funded nor recorded. The search of a required budget earmarks one sector and leaves
// the general budget empty, so the others build nothing there and that sector's figures are
// those of the whole simulation at a seventh of the cost. `people` were counted for `base` and the
// years of `opt`.
closing_plan simulate(const coverage_model& base, const plan_people& people, const plan_options& opt,
                      const std::string* only) {
    check_plan_options(opt);
    coverage_model model = base;
    const territory& where = model.where();
    const auto& items = model.catalogue().items;
    closing_plan plan;
    plan.scenario = opt.scenario;
    plan.first_year = opt.first_year;
    plan.last_year = std::max(opt.first_year, opt.last_year);
    auto sectors = model.catalogue().sectors();
    if (only) std::erase_if(sectors, [&](const auto& sector) { return sector.first != *only; });
    for (const auto& [sector, priority] : sectors) {
        plan.sectors.push_back(sector);
        auto& d = plan.deficit[sector];
        auto& c = plan.coverage[sector];
        auto& b = plan.built[sector];
        auto& k = plan.current[sector];
        auto& w = plan.pending[sector];
        k.resize(where.tier_count());
        w.resize(where.tier_count());
        d.resize(where.tier_count());
        c.resize(where.tier_count());
        b.resize(where.tier_count());
        for (std::size_t t = 0; t < where.tier_count(); ++t) {
            d[t].assign(where.units(t).size(), {});
            c[t].assign(where.units(t).size(), {});
            b[t].assign(where.units(t).size(), 0.0);
            k[t].assign(where.units(t).size(), {});
            w[t].assign(where.units(t).size(), {});
        }
    }
    plan.population.resize(where.tier_count());
    for (std::size_t t = 0; t < where.tier_count(); ++t) plan.population[t].assign(where.units(t).size(), {});
    work_totals done(items.size());
    const std::size_t horizon = static_cast<std::size_t>(plan.last_year - plan.first_year + 1);
    for (auto what : {&build_schedule::built, &build_schedule::rehabilitated, &build_schedule::expanded}) {
        unit_years& per = plan.schedule.*what;
        per.resize(items.size());
        for (std::size_t s = 0; s < items.size(); ++s)
            per[s].assign(model.unit_count(s), std::vector<double>(horizon, 0.0));
    }
    allocator alloc(model, done, plan.schedule);
    double carry = 0;
    std::map<std::string, double> earmarked;  // sector -> its own carry-over
    for (const auto& [sector, path] : opt.scenario.sector_paths) earmarked[sector] = 0;
    for (int year = plan.first_year; year <= plan.last_year; ++year) {
        people.set(model, year);
        check_plan_size(model, done, year);
        alloc.start_year(static_cast<std::size_t>(year - plan.first_year));
        double budget = opt.scenario.budget_in(year, plan.first_year);
        std::map<std::string, sector_year> stats;
        double committed = 0;
        for (std::size_t s = 0; s < items.size(); ++s) {
            double r = done.recurrent(items[s], s);
            stats[items[s].sector].spent_recurrent += r;
            if (!earmarked.count(items[s].sector)) committed += r;
        }
        // Earmarked sectors: their own money, their recurrent costs first, their own carry-over.
        double earmarked_total = 0;
        for (auto& [sector, own_carry] : earmarked) {
            const double amount = amount_in(opt.scenario.sector_paths.at(sector), year);
            earmarked_total += amount;
            sector_year& sy = stats[sector];
            sy.budget = amount;
            double own_pool = std::max(0.0, amount - sy.spent_recurrent + own_carry);
            own_carry = opt.fixed ? own_pool : own_pool - alloc.fund(sector, own_pool, sy);
        }
        plan.budget.push_back(budget + earmarked_total);
        plan.gdp.push_back(opt.scenario.gdp_in(year));
        double pool = std::max(0.0, budget - committed + carry);
        if (opt.fixed) {
            // The schedule's spending comes from the pool and the sectors' own money alike.
            double spent = alloc.build(*opt.fixed, stats);
            for (auto& [sector, own_carry] : earmarked) {
                double own = stats[sector].spent_investment;
                own_carry -= own;
                spent -= own;
            }
            pool -= spent;
            for (auto& [sector, sy] : stats)
                if (!earmarked.count(sector)) sy.budget = sy.spent_investment + sy.spent_recurrent;
        } else {
            pool -= share_pool(alloc, model, sectors, earmarked, pool, stats, year);
        }
        // What the sectors were given but did not spend is not theirs: budgets as shares
        // of what was actually available are reported, the rest carries over.
        carry = pool;
        double carried = carry;
        for (const auto& [sector, own_carry] : earmarked) carried += own_carry;
        plan.carried.push_back(carried);
        for (const auto& [sector, priority] : sectors) {
            sector_year& sy = stats[sector];
            sy.year = year;
            offer n = model.sector_national(sector);
            sy.deficit = n.deficit;
            sy.deficit_investment = n.investment;
            sy.deficit_recurrent = n.recurrent;
            sy.coverage_pct = n.coverage_pct();
            sy.pending_rehabilitation = n.rehabilitation;
            sy.pending_expansion = n.expansion;
            sy.minimum_deficit = n.minimum_deficit;
            plan.national[sector].push_back(sy);
            for (std::size_t t = 0; t < where.tier_count(); ++t)
                for (std::size_t u = 0; u < where.units(t).size(); ++u) {
                    offer o = model.sector_offer(sector, t, u);
                    plan.deficit[sector][t][u].push_back(o.deficit);
                    plan.pending[sector][t][u].push_back(o.rehabilitation + o.expansion);
                    plan.coverage[sector][t][u].push_back(o.coverage_pct());
                    plan.current[sector][t][u].push_back(o.current);
                }
        }
        for (std::size_t t = 0; t < where.tier_count(); ++t)
            for (std::size_t u = 0; u < where.units(t).size(); ++u)
                plan.population[t][u].push_back(model.population(t, u));
    }
    // Built establishments per unit: the difference between the plan's and the base offer.
    for (const auto& [sector, priority] : sectors)
        for (std::size_t t = 0; t < where.tier_count(); ++t)
            for (std::size_t u = 0; u < where.units(t).size(); ++u)
                plan.built[sector][t][u] =
                    model.sector_offer(sector, t, u).current - base.sector_offer(sector, t, u).current;
    return plan;
}

}  // namespace

closing_plan plan_closing(const coverage_model& base, const population_by_year& people, const plan_options& opt) {
    check_plan_options(opt);  // before counting the people of its years
    return simulate(base, plan_people(base, people, opt), opt, nullptr);
}

bool closes_by(const closing_plan& plan, const std::string& sector, int year) {
    if (!plan.deficit.count(sector)) return true;
    std::size_t from = year <= plan.first_year ? 0 : static_cast<std::size_t>(year - plan.first_year);
    // The nation's figures are the sum of every unit's (none negative) and hold the standards of
    // the national level, which have no unit: nothing left there is nothing left anywhere.
    if (auto n = plan.national.find(sector); n != plan.national.end())
        for (std::size_t y = from; y < n->second.size(); ++y)
            if (n->second[y].deficit > 0 || n->second[y].pending_rehabilitation > 0 ||
                n->second[y].pending_expansion > 0)
                return false;
    return from < plan.years();
}

namespace {

// What a sector's earmarked path of `scale` × shape(y) leaves open at close_by.
struct sector_search {
    const coverage_model& model;
    const plan_people& people;
    const plan_options& options;
    const std::string& sector;
    std::vector<double> shape;  // per year index

    [[nodiscard]] std::map<int, double> path(double scale) const {
        std::map<int, double> out;
        for (std::size_t y = 0; y < shape.size(); ++y)
            out[options.first_year + static_cast<int>(y)] = std::ceil(scale * shape[y]);
        return out;
    }
    [[nodiscard]] closing_plan run(double scale) const {
        plan_options o = options;
        o.scenario.path.clear();
        o.scenario.sector_paths = {{sector, path(scale)}};
        return simulate(model, people, o, &sector);
    }
    [[nodiscard]] bool closes(double scale, int close_by) const { return closes_by(run(scale), sector, close_by); }
};

}  // namespace

required_budget plan_required_budget(const coverage_model& model, const population_by_year& people,
                                     const plan_options& options, int close_by) {
    check_plan_options(options);
    if (close_by < options.first_year || close_by > std::max(options.first_year, options.last_year))
        throw format_error({}, "closing year outside the plan",
                           "the gap is to close by " + std::to_string(close_by) + ", but the plan runs from " +
                               std::to_string(options.first_year) + " to " + std::to_string(options.last_year));
    required_budget out;
    out.close_by = close_by;
    const budget_scenario& sc = options.scenario;
    int last = std::max(options.first_year, options.last_year);
    std::vector<double> shape;
    for (int y = options.first_year; y <= last; ++y)
        shape.push_back(sc.gdp > 0 ? sc.gdp_in(y)
                                   : std::pow(1.0 + sc.growth, static_cast<double>(y - options.first_year)));
    // The unconstrained plan: every sector earmarked the largest budget allowed each year.
    plan_options wide = options;
    wide.scenario.path.clear();
    wide.scenario.sector_paths.clear();
    const double unlimited = bounds::budget_usd.high;
    for (const auto& [sector, priority] : model.catalogue().sectors())
        for (int y = options.first_year; y <= last; ++y) wide.scenario.sector_paths[sector][y] = unlimited;
    const plan_people counted(model, people, options);  // the years are those of every plan below
    out.unconstrained = simulate(model, counted, wide, nullptr);
    plan_options required = options;
    required.scenario.path.clear();
    required.scenario.sector_paths.clear();
    for (const auto& [sector, priority] : model.catalogue().sectors()) {
        sector_requirement r;
        r.sector = sector;
        offer start = model.sector_national(sector);
        // The first year's investment, with its rehabilitations and expansions apart.
        r.static_rehabilitation = start.rehabilitation_cost;
        r.static_expansion = start.expansion_cost;
        r.static_investment = start.investment;
        r.static_recurrent = start.recurrent;
        for (const auto& y : out.unconstrained.national.at(sector)) {
            r.dynamic_investment += y.spent_investment;
            r.dynamic_recurrent += y.spent_recurrent;
        }
        sector_search search{model, counted, options, sector, shape};
        if (closes_by(out.unconstrained, sector, close_by) && !search.closes(0, close_by)) {
            // Bracket: the unconstrained plan's largest yearly spending closes; double a small
            // start until it does, then halve the bracket to a relative 1e-4.
            double peak = 0;
            for (std::size_t y = 0; y < shape.size(); ++y) {
                const sector_year& sy = out.unconstrained.national.at(sector)[y];
                peak = std::max(peak, (sy.spent_investment + sy.spent_recurrent) / shape[y]);
            }
            double hi = std::max(peak, 1e-300), lo = 0;
            double ceiling = unlimited / *std::max_element(shape.begin(), shape.end());
            while (!search.closes(hi, close_by)) {
                lo = hi;
                if (hi >= ceiling) {
                    hi = INFINITY;
                    break;
                }
                hi = std::min(2 * hi, ceiling);
            }
            if (std::isfinite(hi)) {
                while (hi - lo > 1e-4 * hi) {
                    double mid = 0.5 * (lo + hi);
                    (search.closes(mid, close_by) ? hi : lo) = mid;
                }
                r.share = hi;
                r.path = search.path(hi);
            }
        } else if (closes_by(out.unconstrained, sector, close_by)) {
            r.share = 0;  // no gap to close
            r.path = search.path(0);
        }
        if (r.share) required.scenario.sector_paths[sector] = r.path;
        out.sectors.push_back(std::move(r));
    }
    out.plan = simulate(model, counted, required, nullptr);
    return out;
}

}  // namespace microplan::geo
