#include "microplan/geo/planning/optimal.hpp"

#include <coin/Cbc_C_Interface.h>

#include <algorithm>
#include <cfloat>
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
// The same for one place added to an existing establishment (its share of the running cost).
double place_cost_by(const standard& st, std::size_t y, std::size_t t) {
    return st.expansion_cost + st.recurrent_cost / st.capacity * static_cast<double>(y - t);
}

// One (standard, unit) with work to do in some year of the horizon. Supply and need are in
// establishments (equivalents of the standard's places where it expands).
struct cell {
    std::size_t s = 0, u = 0;
    double upper = 0;                      // the largest deficit over the horizon: never worth building more
    std::vector<double> need;              // per year: ideal − covered (may be ≤ 0)
    std::vector<double> weight;            // per year: priority × people one missing establishment leaves unserved
    double poor = 0;                       // establishments to rehabilitate at the start
    bool rehabilitation_supplies = false;  // poor ones are out of the offer: each rehabilitated counts again
    double room = 0;                       // places the existing establishments may gain (standards that expand)
    double capacity = 0;                   // places of one establishment, when it expands
};

// A schedule's amount of one kind of work in a cell and year (0 outside it).
double amount(const unit_years& u, const cell& c, std::size_t y) {
    return c.s < u.size() && c.u < u[c.s].size() && y < u[c.s][c.u].size() ? u[c.s][c.u][y] : 0.0;
}

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
                const bool expands = items[s].expands();
                for (std::size_t u = 0; u < m.unit_count(s); ++u) {
                    const offer& off = m.own(s, u);
                    const double need = off.ideal - off.covered;
                    auto it = index.find({s, u});
                    if (it == index.end()) {
                        if (need <= 0 && off.rehabilitation <= 0) continue;
                        it = index.emplace(std::pair{s, u}, cells.size()).first;
                        cell c;
                        c.s = s;
                        c.u = u;
                        c.need.assign(years, 0.0);
                        c.weight.assign(years, 0.0);
                        c.poor = y == 0 ? off.rehabilitation : 0.0;  // condition does not change with people
                        c.rehabilitation_supplies = !m.options().poor_counts;
                        c.room = expands ? m.expansion_room(s, u) : 0.0;
                        c.capacity = expands ? items[s].capacity : 0.0;
                        cells.push_back(std::move(c));
                    }
                    cell& c = cells[it->second];
                    c.need[y] = need;
                    c.weight[y] = off.ideal > 0 ? priority[items[s].sector] * off.demand / off.ideal : 0.0;
                    c.upper = std::max(c.upper, std::ceil(need - 1e-9));
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
        // A year a path does not name has no money (as budget_in says of the pool's).
        for (const auto& entry : o.scenario.sector_paths)
            add_group(entry.first, [&path = entry.second](int year) {
                auto it = path.find(year);
                return it == path.end() ? 0.0 : it->second;
            });
    }

    [[nodiscard]] std::string group_of(const coverage_model& m, const cell& c) const {
        const std::string& sector = m.catalogue().items[c.s].sector;
        return cumulative.count(sector) ? sector : std::string{};
    }

    // Unserved: establishments still missing, and poor ones awaiting rehabilitation while they
    // count in the offer, each weighted by the people it serves.
    [[nodiscard]] double value(const build_schedule& schedule) const {
        double total = 0;
        for (const auto& c : cells) {
            double built = 0, rehabilitated = 0, expanded = 0;
            for (std::size_t y = 0; y < years; ++y) {
                built += amount(schedule.built, c, y);
                rehabilitated += amount(schedule.rehabilitated, c, y);
                expanded += amount(schedule.expanded, c, y);
                double supply = built + (c.capacity > 0 ? expanded / c.capacity : 0.0);
                if (c.rehabilitation_supplies)
                    supply += std::min(rehabilitated, c.poor);
                else
                    total += c.weight[y] * std::max(0.0, c.poor - rehabilitated);
                total += c.weight[y] * std::max(0.0, c.need[y] - supply);
            }
        }
        return total;
    }

    // Whether a schedule meets every cumulative budget row (to a relative 1e-9).
    [[nodiscard]] bool within_budget(const coverage_model& m, const build_schedule& schedule) const {
        std::map<std::string, std::vector<double>> spent;
        for (const auto& [group, cum] : cumulative) spent[group].assign(years, 0.0);
        const auto& items = m.catalogue().items;
        auto add = [&](const unit_years& work, auto cost) {
            for (std::size_t s = 0; s < work.size(); ++s) {
                const std::string& sector = items[s].sector;
                auto& row = spent[cumulative.count(sector) ? sector : std::string{}];
                for (const auto& unit : work[s])
                    for (std::size_t t = 0; t < unit.size() && t < years; ++t)
                        if (unit[t] > 0)
                            for (std::size_t y = t; y < years; ++y) row[y] += unit[t] * cost(items[s], y, t);
            }
        };
        add(schedule.built, cost_by);
        add(schedule.rehabilitated,
            [](const standard& st, std::size_t, std::size_t) { return st.rehabilitation_usd(); });
        add(schedule.expanded, place_cost_by);
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

// The mixed-integer programme of an instance in CBC (optimal.hpp): its columns, rows, a first
// solution, and the schedule read back. (A cumulative form — work done so far per year, never
// decreasing, and a carry-over column per budget and year — has shorter rows but more of them,
// and its root LP took 4 × as long on the national demo: bench/RESULTS.md.)
class programme {
public:
    programme(Cbc_Model* m, const instance& in, const coverage_model& model, optimal_result& out)
        : m_(m), in_(in), model_(model), out_(out) {
        add_columns();
        add_link_rows();
        add_budget_rows();
        load();
    }

    // The objective's part no column carries (poor ones never rehabilitated).
    [[nodiscard]] double constant() const { return constant_; }

    // A schedule as the first solution (it must keep within the budget rows).
    void start_from(const build_schedule& g) {
        std::vector<int> idx;
        std::vector<double> val;
        for (std::size_t i = 0; i < in_.cells.size(); ++i) {
            const cell& c = in_.cells[i];
            double supply = 0;
            for (std::size_t y = 0; y < in_.years; ++y) {
                const int t = static_cast<int>(y);
                const double x = amount(g.built, c, y), r = amount(g.rehabilitated, c, y), e = amount(g.expanded, c, y);
                supply += x + (c.capacity > 0 ? e / c.capacity : 0.0) + (c.rehabilitation_supplies ? r : 0.0);
                idx.push_back(first_[i].x + t);
                val.push_back(x);
                if (first_[i].r >= 0) idx.push_back(first_[i].r + t), val.push_back(r);
                if (first_[i].e >= 0) idx.push_back(first_[i].e + t), val.push_back(e);
                if (int d = d_col_[i * in_.years + y]; d >= 0) {
                    idx.push_back(d);
                    val.push_back(std::max(0.0, c.need[y] - supply));
                }
            }
        }
        Cbc_setMIPStartI(m_, static_cast<int>(idx.size()), idx.data(), val.data());
    }

    // The solution as a schedule shaped like `like` (every standard's units and years).
    [[nodiscard]] build_schedule read(const double* x, const build_schedule& like) const {
        build_schedule best;
        for (auto what : {&build_schedule::built, &build_schedule::rehabilitated, &build_schedule::expanded}) {
            (best.*what).resize(like.built.size());
            for (std::size_t s = 0; s < like.built.size(); ++s)
                (best.*what)[s].assign(like.built[s].size(), std::vector<double>(in_.years, 0.0));
        }
        for (std::size_t i = 0; i < in_.cells.size(); ++i) {
            const cell& c = in_.cells[i];
            for (std::size_t y = 0; y < in_.years; ++y) {
                const int t = static_cast<int>(y);
                best.built[c.s][c.u][y] = std::round(x[first_[i].x + t]);
                if (first_[i].r >= 0) best.rehabilitated[c.s][c.u][y] = std::round(x[first_[i].r + t]);
                // Places down to the hundredth of a place: CBC's tolerance leaves dust, and rounding
                // up could overspend the budget.
                if (first_[i].e >= 0)
                    best.expanded[c.s][c.u][y] = std::max(0.0, std::floor(x[first_[i].e + t] * 100 + 1e-6) / 100);
            }
        }
        return best;
    }

private:
    // Per cell: x (built) every year, r (rehabilitated) every year when it has poor ones, e
    // (places added) every year when it may expand, d (missing) every year with a need.
    void add_columns() {
        first_.assign(in_.cells.size(), {});
        d_col_.assign(in_.cells.size() * in_.years, -1);
        for (std::size_t i = 0; i < in_.cells.size(); ++i) {
            const cell& c = in_.cells[i];
            first_[i].x = next_col();
            for (std::size_t y = 0; y < in_.years; ++y) add_col(c.upper, 0, true);
            out_.integers += static_cast<int>(in_.years);
            if (c.poor > 0) {
                // While poor ones count in the offer, each left unrehabilitated is people unserved: a
                // rehabilitation in year t saves its weight every year from t on.
                first_[i].r = next_col();
                for (std::size_t t = 0; t < in_.years; ++t) {
                    double saves = 0;
                    if (!c.rehabilitation_supplies)
                        for (std::size_t y = t; y < in_.years; ++y) saves += c.weight[y];
                    add_col(c.poor, -saves, true);
                }
                out_.integers += static_cast<int>(in_.years);
                if (!c.rehabilitation_supplies)
                    for (std::size_t y = 0; y < in_.years; ++y) constant_ += c.weight[y] * c.poor;
            }
            if (c.room > 0) {
                first_[i].e = next_col();
                for (std::size_t y = 0; y < in_.years; ++y) add_col(c.room, 0, false);
            }
            for (std::size_t y = 0; y < in_.years; ++y)
                if (c.need[y] > 0) {
                    d_col_[i * in_.years + y] = next_col();
                    add_col(c.need[y], c.weight[y], false);
                }
        }
        out_.columns = next_col();
    }

    [[nodiscard]] int next_col() const { return static_cast<int>(upper_.size()); }
    // Columns (from 0, bounds [0, upper]) and rows are gathered, then loaded at once: adding rows
    // one by one to CBC copies its matrix each time (minutes on the national demo).
    void add_col(double upper, double objective, bool integer) {
        upper_.push_back(upper);
        objective_.push_back(objective);
        integer_.push_back(integer);
    }
    void add_row(double low, double up) {
        const int row = out_.rows++;
        row_low_.push_back(low);
        row_up_.push_back(up);
        for (std::size_t k = 0; k < idx_.size(); ++k) entries_.push_back({idx_[k], row, coef_[k]});
        out_.nonzeros += static_cast<long long>(idx_.size());
        idx_.clear();
        coef_.clear();
    }
    void put(int col, double a) {
        if (col < 0 || a == 0) return;
        idx_.push_back(col);
        coef_.push_back(a);
    }
    // The gathered programme as CBC's column-major matrix.
    void load() {
        const std::size_t n = upper_.size();
        std::vector<CoinBigIndex> start(n + 1, 0);
        for (const auto& e : entries_) ++start[static_cast<std::size_t>(e.col) + 1];
        for (std::size_t j = 0; j < n; ++j) start[j + 1] += start[j];
        std::vector<int> index(entries_.size());
        std::vector<double> value(entries_.size());
        std::vector<CoinBigIndex> next(start.begin(), start.end() - 1);
        for (const auto& e : entries_) {
            const auto k = static_cast<std::size_t>(next[static_cast<std::size_t>(e.col)]++);
            index[k] = e.row;
            value[k] = e.value;
        }
        const std::vector<double> lower(n, 0.0);
        Cbc_loadProblem(m_, static_cast<int>(n), out_.rows, start.data(), index.data(), value.data(), lower.data(),
                        upper_.data(), objective_.data(), row_low_.data(), row_up_.data());
        for (std::size_t j = 0; j < n; ++j)
            if (integer_[j]) Cbc_setInteger(m_, static_cast<int>(j));
        entries_ = {};
    }

    // d + Σ_{τ≤y} (x + e / capacity [+ r]) ≥ need; at most the poor ones rehabilitated and the
    // room expanded over the horizon.
    void add_link_rows() {
        for (std::size_t i = 0; i < in_.cells.size(); ++i) {
            const cell& c = in_.cells[i];
            const columns& f = first_[i];
            for (std::size_t y = 0; y < in_.years; ++y) {
                const int d = d_col_[i * in_.years + y];
                if (d < 0) continue;
                put(d, 1.0);
                for (std::size_t t = 0; t <= y; ++t) {
                    const int k = static_cast<int>(t);
                    put(f.x + k, 1.0);
                    if (f.e >= 0) put(f.e + k, 1.0 / c.capacity);
                    if (f.r >= 0 && c.rehabilitation_supplies) put(f.r + k, 1.0);
                }
                add_row(c.need[y], DBL_MAX);
            }
            for (auto [start, limit] : {std::pair{f.r, c.poor}, std::pair{f.e, c.room}}) {
                if (start < 0) continue;
                for (std::size_t t = 0; t < in_.years; ++t) put(start + static_cast<int>(t), 1.0);
                add_row(-DBL_MAX, limit);
            }
        }
    }

    // Per budget group and year: what was done and run so far fits what was available so far.
    void add_budget_rows() {
        const auto& items = model_.catalogue().items;
        for (const auto& [group, cum] : in_.cumulative) {
            bool any = false;
            for (const auto& c : in_.cells) any = any || in_.group_of(model_, c) == group;
            if (!any) continue;
            for (std::size_t y = 0; y < in_.years; ++y) {
                for (std::size_t i = 0; i < in_.cells.size(); ++i) {
                    if (in_.group_of(model_, in_.cells[i]) != group) continue;
                    const standard& st = items[in_.cells[i].s];
                    const columns& f = first_[i];
                    for (std::size_t t = 0; t <= y; ++t) {
                        const int k = static_cast<int>(t);
                        put(f.x + k, cost_by(st, y, t));
                        if (f.r >= 0) put(f.r + k, st.rehabilitation_usd());
                        if (f.e >= 0) put(f.e + k, place_cost_by(st, y, t));
                    }
                }
                if (!idx_.empty()) add_row(-DBL_MAX, cum[y]);
            }
        }
    }

    struct columns {
        int x = -1, r = -1, e = -1;
    };
    Cbc_Model* m_;
    const instance& in_;
    const coverage_model& model_;
    optimal_result& out_;
    std::vector<columns> first_;  // per cell: each kind's first column (-1: none)
    std::vector<int> d_col_;      // [cell * years + y] (-1: none)
    double constant_ = 0;
    std::vector<int> idx_;
    std::vector<double> coef_;
    struct entry {
        int col, row;
        double value;
    };
    std::vector<entry> entries_;
    std::vector<double> upper_, objective_, row_low_, row_up_;
    std::vector<bool> integer_;
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

    cbc_model cbc;
    Cbc_Model* m = cbc.m;
    programme p(m, in, model, out);
    Cbc_setObjSense(m, 1);  // minimise
    Cbc_setLogLevel(m, 0);
    Cbc_setMaximumSeconds(m, how.seconds);
    Cbc_setAllowableFractionGap(m, how.relative_gap);
    // The greedy's schedule as the first solution when it keeps within the budget rows.
    if (out.greedy_within_budget) p.start_from(out.greedy.schedule);
    Cbc_solve(m);
    out.status = Cbc_isProvenOptimal(m)         ? "optimal"
                 : Cbc_isSecondsLimitReached(m) ? "time limit"
                 : Cbc_isProvenInfeasible(m)    ? "infeasible"
                                                : "not proven";
    build_schedule best;
    const double* x = Cbc_getColSolution(m);
    if (x && Cbc_getObjValue(m) < 1e300 && out.status != "infeasible") {
        best = p.read(x, out.greedy.schedule);
        out.value = in.value(best);
        out.bound = std::min(out.value, Cbc_getBestPossibleObjValue(m) + p.constant());
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
