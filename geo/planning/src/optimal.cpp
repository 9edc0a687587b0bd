#include "microplan/geo/planning/optimal.hpp"

#include <coin/Cbc_C_Interface.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <set>

namespace microplan::geo {

namespace {

// What one establishment of `st` built in year index t has cost by the end of year index y (its
// investment, then its recurrent cost every later year): its coefficient in year y's budget row.
double cost_by(const standard& st, std::size_t y, std::size_t t) {
    return st.investment_cost + st.recurrent_cost * static_cast<double>(y - t);
}

// One (standard, unit) with a deficit in some year of the horizon.
struct cell {
    std::size_t s = 0, u = 0;
    double upper = 0;            // the largest deficit over the horizon: never worth building more
    std::vector<double> need;    // per year: ideal − current (may be ≤ 0)
    std::vector<double> weight;  // per year: priority × people one missing establishment leaves unserved
};

// The programme's data: every cell, and each budget group's cumulative money.
struct instance {
    std::size_t years = 0;
    std::vector<cell> cells;
    // Budget groups: "" = the pool; otherwise an earmarked sector. Cumulative budget per year.
    std::map<std::string, std::vector<double>> cumulative;

    instance(const coverage_model& base, const population_by_year& people, const plan_options& o) {
        const int last = std::max(o.first_year, o.last_year);
        years = static_cast<std::size_t>(last - o.first_year + 1);
        coverage_model m = base;
        const auto& items = m.catalogue().items;
        std::map<std::string, double> priority;
        for (const auto& [sector, p] : m.catalogue().sectors()) priority[sector] = p;
        std::map<std::pair<std::size_t, std::size_t>, std::size_t> index;
        for (std::size_t y = 0; y < years; ++y) {
            if (!people.empty()) m.set_population(population_for_year(people, o.first_year + static_cast<int>(y)));
            for (std::size_t s = 0; s < items.size(); ++s) {
                const std::size_t tier = m.standard_tier(s);
                if (tier >= m.where().tier_count()) continue;
                for (std::size_t u = 0; u < m.where().units(tier).size(); ++u) {
                    const offer& off = m.at(s, tier, u);
                    const double need = off.ideal - off.current;
                    auto it = index.find({s, u});
                    if (it == index.end()) {
                        if (need <= 0) continue;
                        it = index.emplace(std::pair{s, u}, cells.size()).first;
                        cell c;
                        c.s = s;
                        c.u = u;
                        c.need.assign(years, 0.0);
                        c.weight.assign(years, 0.0);
                        cells.push_back(std::move(c));
                    }
                    cell& c = cells[it->second];
                    c.need[y] = need;
                    c.weight[y] = off.ideal > 0 ? priority[items[s].sector] * off.demand / off.ideal : 0.0;
                    c.upper = std::max(c.upper, need);
                }
            }
        }
        // Years before a cell's first deficit held no entry: their need stays 0 (nothing to do).
        auto add_group = [&](const std::string& group, auto amount_of) {
            std::vector<double> cum(years, 0.0);
            double total = 0;
            for (std::size_t y = 0; y < years; ++y) cum[y] = total += amount_of(o.first_year + static_cast<int>(y));
            cumulative[group] = std::move(cum);
        };
        add_group("", [&](int year) { return o.scenario.budget_in(year, o.first_year); });
        for (const auto& [sector, path] : o.scenario.sector_paths)
            add_group(sector, [&path](int year) {
                auto it = path.find(year);
                return it == path.end() ? 0.0 : it->second;
            });
    }

    [[nodiscard]] std::string group_of(const coverage_model& m, const cell& c) const {
        const std::string& sector = m.catalogue().items[c.s].sector;
        return cumulative.count(sector) ? sector : std::string{};
    }

    [[nodiscard]] double value(const build_schedule& schedule) const {
        double total = 0;
        for (const auto& c : cells) {
            double built = 0;
            for (std::size_t y = 0; y < years; ++y) {
                if (c.s < schedule.size() && c.u < schedule[c.s].size() && y < schedule[c.s][c.u].size())
                    built += schedule[c.s][c.u][y];
                total += c.weight[y] * std::max(0.0, c.need[y] - built);
            }
        }
        return total;
    }

    // Whether a schedule meets every cumulative budget row (to a relative 1e-9).
    [[nodiscard]] bool within_budget(const coverage_model& m, const build_schedule& schedule) const {
        std::map<std::string, std::vector<double>> spent;
        for (const auto& [group, cum] : cumulative) spent[group].assign(years, 0.0);
        const auto& items = m.catalogue().items;
        for (std::size_t s = 0; s < schedule.size(); ++s) {
            const std::string& sector = items[s].sector;
            auto& row = spent[cumulative.count(sector) ? sector : std::string{}];
            for (const auto& unit : schedule[s])
                for (std::size_t t = 0; t < unit.size() && t < years; ++t)
                    if (unit[t] > 0)
                        for (std::size_t y = t; y < years; ++y) row[y] += unit[t] * cost_by(items[s], y, t);
        }
        for (const auto& [group, cum] : cumulative)
            for (std::size_t y = 0; y < years; ++y)
                if (spent[group][y] > cum[y] * (1 + 1e-9) + 1e-6) return false;
        return true;
    }
};

struct cbc_model {
    Cbc_Model* m = Cbc_newModel();
    cbc_model() = default;
    cbc_model(const cbc_model&) = delete;
    cbc_model& operator=(const cbc_model&) = delete;
    ~cbc_model() { Cbc_deleteModel(m); }
};

}  // namespace

double optimal_result::greedy_gap() const {
    if (value <= 0) return greedy_value > 0 ? INFINITY : 0;
    return (greedy_value - value) / value;
}

double optimal_result::greedy_gap_to_bound() const {
    if (bound <= 0) return greedy_value > 0 ? INFINITY : 0;
    return (greedy_value - bound) / bound;
}

double unserved_people_years(const coverage_model& model, const population_by_year& people, const plan_options& options,
                             const build_schedule& schedule) {
    return instance(model, people, options).value(schedule);
}

optimal_result plan_optimal(const coverage_model& model, const population_by_year& people, const plan_options& options,
                            const optimal_options& how) {
    const auto t0 = std::chrono::steady_clock::now();
    optimal_result out;
    plan_options greedy_options = options;
    greedy_options.fixed = nullptr;
    out.greedy = plan_closing(model, people, greedy_options);  // checks the options and the plan's size
    const instance in(model, people, options);
    out.greedy_value = in.value(out.greedy.schedule);
    out.greedy_within_budget = in.within_budget(model, out.greedy.schedule);
    const auto& items = model.catalogue().items;

    cbc_model cbc;
    Cbc_Model* m = cbc.m;
    // Columns: per cell, x for every year, then d for every year with a need.
    std::vector<int> x_first(in.cells.size()), d_col;  // d_col[cell * years + y] (-1: none)
    d_col.assign(in.cells.size() * in.years, -1);
    int col = 0;
    for (std::size_t i = 0; i < in.cells.size(); ++i) {
        const cell& c = in.cells[i];
        x_first[i] = col;
        for (std::size_t y = 0; y < in.years; ++y, ++col) Cbc_addCol(m, "", 0, c.upper, 0, 1, 0, nullptr, nullptr);
        for (std::size_t y = 0; y < in.years; ++y)
            if (c.need[y] > 0) {
                Cbc_addCol(m, "", 0, c.need[y], c.weight[y], 0, 0, nullptr, nullptr);
                d_col[i * in.years + y] = col++;
            }
    }
    out.columns = col;
    out.integers = static_cast<int>(in.cells.size() * in.years);
    // Link rows: d + Σ_{τ≤y} x ≥ need.
    std::vector<int> idx;
    std::vector<double> coef;
    for (std::size_t i = 0; i < in.cells.size(); ++i)
        for (std::size_t y = 0; y < in.years; ++y) {
            const int d = d_col[i * in.years + y];
            if (d < 0) continue;
            idx.assign(1, d);
            coef.assign(1, 1.0);
            for (std::size_t t = 0; t <= y; ++t) {
                idx.push_back(x_first[i] + static_cast<int>(t));
                coef.push_back(1.0);
            }
            Cbc_addRow(m, "", static_cast<int>(idx.size()), idx.data(), coef.data(), 'G', in.cells[i].need[y]);
            out.nonzeros += static_cast<long long>(idx.size());
            ++out.rows;
        }
    // Budget rows: per group and year, what was built and run so far fits what was available.
    for (const auto& [group, cum] : in.cumulative) {
        bool any = false;
        for (const auto& c : in.cells) any = any || in.group_of(model, c) == group;
        if (!any) continue;
        for (std::size_t y = 0; y < in.years; ++y) {
            idx.clear();
            coef.clear();
            for (std::size_t i = 0; i < in.cells.size(); ++i) {
                if (in.group_of(model, in.cells[i]) != group) continue;
                const standard& st = items[in.cells[i].s];
                for (std::size_t t = 0; t <= y; ++t) {
                    const double a = cost_by(st, y, t);
                    if (a == 0) continue;
                    idx.push_back(x_first[i] + static_cast<int>(t));
                    coef.push_back(a);
                }
            }
            if (idx.empty()) continue;
            Cbc_addRow(m, "", static_cast<int>(idx.size()), idx.data(), coef.data(), 'L', cum[y]);
            out.nonzeros += static_cast<long long>(idx.size());
            ++out.rows;
        }
    }
    Cbc_setObjSense(m, 1);  // minimise
    Cbc_setLogLevel(m, 0);
    Cbc_setMaximumSeconds(m, how.seconds);
    Cbc_setAllowableFractionGap(m, how.relative_gap);
    // The greedy's schedule as the first solution when it keeps within the budget rows.
    if (out.greedy_within_budget) {
        std::vector<int> start_idx;
        std::vector<double> start_val;
        for (std::size_t i = 0; i < in.cells.size(); ++i) {
            const cell& c = in.cells[i];
            double built = 0;
            for (std::size_t y = 0; y < in.years; ++y) {
                const double x = out.greedy.schedule[c.s][c.u][y];
                built += x;
                start_idx.push_back(x_first[i] + static_cast<int>(y));
                start_val.push_back(x);
                if (int d = d_col[i * in.years + y]; d >= 0) {
                    start_idx.push_back(d);
                    start_val.push_back(std::max(0.0, c.need[y] - built));
                }
            }
        }
        Cbc_setMIPStartI(m, static_cast<int>(start_idx.size()), start_idx.data(), start_val.data());
    }
    Cbc_solve(m);
    out.status = Cbc_isProvenOptimal(m)         ? "optimal"
                 : Cbc_isSecondsLimitReached(m) ? "time limit"
                 : Cbc_isProvenInfeasible(m)    ? "infeasible"
                                                : "not proven";
    build_schedule best(items.size());
    for (std::size_t s = 0; s < items.size(); ++s)
        best[s].assign(out.greedy.schedule[s].size(), std::vector<double>(in.years, 0.0));
    const double* x = Cbc_getColSolution(m);
    const bool solved = x && Cbc_getObjValue(m) < 1e300 && out.status != "infeasible";
    if (solved) {
        for (std::size_t i = 0; i < in.cells.size(); ++i)
            for (std::size_t y = 0; y < in.years; ++y)
                best[in.cells[i].s][in.cells[i].u][y] = std::round(x[x_first[i] + static_cast<int>(y)]);
        out.value = in.value(best);
        out.bound = std::min(out.value, Cbc_getBestPossibleObjValue(m));
    } else {
        best = out.greedy.schedule;  // nothing better found in time: the greedy stands
        out.value = out.greedy_value;
        out.bound = 0;
    }
    if (out.value > out.greedy_value && out.greedy_within_budget) {  // CBC stopped above its start
        best = out.greedy.schedule;
        out.value = out.greedy_value;
    }
    plan_options fixed = options;
    fixed.fixed = &best;
    out.plan = plan_closing(model, people, fixed);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace microplan::geo
