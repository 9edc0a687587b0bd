// `microplan indicators`: indicators per territory and year, and the status of targets.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "planning_options.hpp"

namespace microplan::cli {

command add_indicators(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    auto targets = std::make_shared<std::string>();
    auto series = std::make_shared<std::string>();
    args->add(app);
    plan->add(app);
    app.add_option("--targets,-t", *targets, "Targets (metas) table (CSV; data/targets/ has an example)");
    app.add_option("--series", *series, "Instead of target status, every indicator per unit of this level and year")
        ->check(level_names);
    return [args, plan, targets, series] {
        if (targets->empty() && series->empty())
            throw geo::format_error({}, "nothing to do", "give --targets FILE, --series LEVEL or both");
        geo::usecases::indicators_result r =
            geo::usecases::evaluate_indicators(args->request, plan->scenario, *targets);
        const geo::coverage_model& model = *r.session.model;
        if (!series->empty()) {
            geo::level l = level_option(*series);
            emit(args->csv() ? geo::indicator_series_csv(model, r.plan, l)
                             : dump(geo::indicator_series_json(model, r.plan, l)),
                 targets->empty() ? args->output : std::string{});
        }
        if (!targets->empty()) {
            print_findings(r.report, 5);
            emit(args->csv() ? geo::targets_csv(r.targets) : dump(geo::targets_json(r.targets)), args->output);
            std::size_t met = 0, risk = 0, not_met = 0;
            for (const auto& t : r.targets) (t.status == "met" ? met : t.status == "at_risk" ? risk : not_met) += 1;
            std::fprintf(stderr, "targets: %zu met, %zu at risk, %zu not met (scenario %s)\n", met, risk, not_met,
                         r.plan.scenario.name.c_str());
        }
        return 0;
    };
}

}  // namespace microplan::cli
