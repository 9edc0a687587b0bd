#pragma once
// The optimal plan: the yearly allocation of closing.hpp as a mixed-integer programme solved
// with CBC, beside the greedy rule it checks (docs/planning.md, "The optimal plan").
//
//   x[s,u,y] ∈ {0, 1, …}  establishments of standard s built in unit u during year y (they count
//                         from the end of y), at most the unit's largest deficit over the horizon
//   r[s,u,y] ∈ {0, 1, …}  establishments in poor condition rehabilitated (Σ_y r ≤ the poor ones)
//   e[s,u,y] ≥ 0          places added to existing establishments, for standards that expand
//                         (Σ_y e ≤ what their expansion limit leaves)
//   d[s,u,y] ≥ 0          establishments still missing at the end of y (equivalents of places
//                         for standards that expand):
//                         d + Σ_{τ≤y} (x + e / capacity [+ r when poor ones are out of the offer])
//                           ≥ ideal(s,u,y) − covered(s,u)
//   minimise   Σ_y Σ_{s,u} priority(s) × people(s,u,y) × (d[s,u,y] [+ poor ones not yet
//              rehabilitated, when they count in the offer])
//              — priority-weighted unserved people-years, where people(s,u,y) = demand / ideal is
//              the people one missing establishment leaves unserved that year
//   subject to, for every year y and every budget (the pool, and each earmarked sector's own):
//              Σ_{τ≤y} Σ_{s,u} (investment(s) + recurrent(s) × (y − τ)) × x[s,u,τ]
//                 + rehabilitation(s) × r[s,u,τ]
//                 + (expansion(s) + recurrent(s) / capacity(s) × (y − τ)) × e[s,u,τ]
//                ≤ Σ_{τ≤y} budget(τ)
//              — what was done and run so far fits what was available so far (unspent money
//              carries over, as in the greedy rule)
// ideal(s,u,y) follows the projected population of each year; covered counts the establishments
// in place. Only (s, u) with work to do in some year get variables. The minimum operable tier is
// the greedy rule's order, not a constraint here: the optimum may reach it later.
#include <string>

#include "microplan/geo/planning/closing.hpp"

namespace microplan::geo {

struct optimal_options {
    double seconds = 60;         // CBC's time limit
    double relative_gap = 1e-4;  // stop when proven within this fraction of the optimum
};

struct optimal_result {
    std::string status;                // "optimal", "time limit", "infeasible", "not proven"
    double value = 0;                  // the best schedule's objective (unserved people-years, weighted)
    double bound = 0;                  // the best possible value CBC proved
    double greedy_value = 0;           // the greedy plan's schedule under the same objective
    bool greedy_within_budget = true;  // the greedy schedule meets the cumulative budget rows
    double seconds = 0;
    int columns = 0, integers = 0, rows = 0;
    long long nonzeros = 0;
    closing_plan plan;    // the best schedule replayed (plan_options::fixed)
    closing_plan greedy;  // the greedy plan, for comparison
    // How far the greedy is from the optimum: (greedy − best) / best, and at most (greedy −
    // bound) / bound; 0 when both are 0.
    [[nodiscard]] double greedy_gap() const;
    [[nodiscard]] double greedy_gap_to_bound() const;
};

// The objective of any schedule over the options' horizon (what optimal_result::value measures).
double unserved_people_years(const coverage_model& model, const population_by_year& people, const plan_options& options,
                             const build_schedule& schedule);

optimal_result plan_optimal(const coverage_model& model, const population_by_year& people, const plan_options& options,
                            const optimal_options& how = {});

}  // namespace microplan::geo
