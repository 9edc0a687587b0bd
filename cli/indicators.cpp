// `microplan indicators`: indicators per territory and year, and the status of targets.
#include <memory>
#include <vector>

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
    auto lights = std::make_shared<std::vector<double>>(std::vector<double>{85, 60});
    app.add_option("--lights", *lights,
                   "Traffic light thresholds of achievement %: green from the first, yellow from the second")
        ->expected(2)
        ->delimiter(',')
        ->check(CLI::Range(0.0, 1000.0))
        ->capture_default_str();
    return [args, plan, targets, series, lights] {
        if ((*lights)[1] > (*lights)[0])
            throw geo::format_error({}, "lights out of order",
                                    "--lights: green (" + std::to_string((*lights)[0]) +
                                        ") must be at or above yellow (" + std::to_string((*lights)[1]) + ")");
        if (targets->empty() && series->empty())
            throw geo::format_error({}, "nothing to do", "give --targets FILE, --series LEVEL or both");
        geo::usecases::indicators_result r =
            geo::usecases::evaluate_indicators(args->request, plan->scenario, *targets, {(*lights)[0], (*lights)[1]});
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
            for (const auto& t : r.targets)
                if (t.status == "met" || t.status == "at_risk" || t.status == "not_met")
                    (t.status == "met" ? met : t.status == "at_risk" ? risk : not_met) += 1;
            std::fprintf(stderr, "targets: %zu met, %zu at risk, %zu not met (scenario %s)\n", met, risk, not_met,
                         r.plan.scenario.name.c_str());
        }
        return 0;
    };
}

}  // namespace microplan::cli
