// `microplan plan`: closing the deficit over time under a budget scenario; with --close-by, how
// much closes it by a year.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/optimal.hpp"
#include "planning_options.hpp"

namespace microplan::cli {

namespace {

void note_constant_population(const geo::store::planning_inputs& in) {
    if (in.people.size() < 2)
        std::fprintf(stderr,
                     "note: the store holds population for %d only; it is held constant over the horizon "
                     "(add projected years with `microplan population project`)\n",
                     in.year);
}

}  // namespace

command add_plan(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    auto close_by = std::make_shared<int>(0);
    auto budgets_out = std::make_shared<std::string>();
    auto optimise = std::make_shared<bool>(false);
    auto how = std::make_shared<geo::optimal_options>();
    args->add(app);
    plan->add(app);
    app.add_option("--close-by", *close_by,
                   "How much: the smallest yearly budget, per sector, that closes every sector's gap in every unit by "
                   "this year (as a share of GDP and in USD), beside the static and dynamic cost")
        ->check(within(geo::bounds::year));
    app.add_option(
        "--budgets-out", *budgets_out,
        "With --close-by: write the required path (year, sector, budget) to this CSV, readable by --budgets");
    app.add_flag("--optimise", *optimise,
                 "Solve the yearly allocation as a mixed-integer programme with CBC (minimise priority-weighted "
                 "unserved people-years) and report the greedy rule's gap to it");
    app.add_option("--optimise-seconds", how->seconds, "CBC's time limit")
        ->check(CLI::Range(0.1, 86400.0))
        ->default_val(60);
    return [args, plan, close_by, budgets_out, optimise, how] {
        auto t0 = clock_type::now();
        if (*optimise) {
            geo::usecases::optimal_store_result r =
                geo::usecases::plan_optimal_store(args->request, plan->scenario, *how);
            note_constant_population(*r.session.inputs);
            const geo::optimal_result& o = r.optimal;
            emit(args->csv() ? geo::plan_csv(o.plan) : dump(geo::optimal_json(*r.session.model, o)), args->output);
            std::fprintf(stderr,
                         "optimal plan (%s) in %.2f s: %d columns (%d integer), %d rows; value %.6g, bound %.6g; the "
                         "greedy %.6g (%.3f %% above the best, at most %.3f %% above the optimum)\n",
                         o.status.c_str(), seconds_since(t0), o.columns, o.integers, o.rows, o.value, o.bound,
                         o.greedy_value, 100 * o.greedy_gap(), 100 * o.greedy_gap_to_bound());
            return 0;
        }
        if (*close_by) {
            geo::usecases::required_result r = geo::usecases::plan_required(args->request, plan->scenario, *close_by);
            note_constant_population(*r.session.inputs);
            const geo::required_budget& q = r.required;
            emit(args->csv() ? geo::plan_csv(q.plan) : dump(geo::required_json(*r.session.model, q)), args->output);
            if (!budgets_out->empty()) emit(geo::budget_path_csv(q), *budgets_out);
            for (const auto& s : q.sectors) {
                if (!s.share) {
                    std::fprintf(stderr, "%s: cannot close by %d with any budget up to 1e14 USD a year\n",
                                 s.sector.c_str(), *close_by);
                    continue;
                }
                double total = 0;
                for (const auto& [year, usd] : s.path) total += usd;
                if (q.plan.scenario.gdp > 0)
                    std::fprintf(stderr, "%s: %.4f %% of GDP a year, %.0f USD over %d-%d\n", s.sector.c_str(),
                                 *s.share * 100, total, q.plan.first_year, q.plan.last_year);
                else
                    std::fprintf(stderr, "%s: %.0f USD in %d growing with the budget, %.0f USD over %d-%d\n",
                                 s.sector.c_str(), *s.share, q.plan.first_year, total, q.plan.first_year,
                                 q.plan.last_year);
            }
            std::fprintf(stderr, "required budget to close by %d (%s) computed in %.2f s\n", *close_by,
                         q.plan.scenario.name.c_str(), seconds_since(t0));
            return 0;
        }
        geo::usecases::plan_result r = geo::usecases::plan_store(args->request, plan->scenario);
        note_constant_population(*r.session.inputs);
        const geo::closing_plan& p = r.plan;
        emit(args->csv() ? geo::plan_csv(p) : dump(geo::plan_json(*r.session.model, p)), args->output);
        std::fprintf(stderr, "plan %s %d-%d computed in %.2f s (%s)\n", p.scenario.name.c_str(), p.first_year,
                     p.last_year, seconds_since(t0), p.scenario.source.c_str());
        return 0;
    };
}

}  // namespace microplan::cli
