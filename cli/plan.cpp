// `microplan plan`: closing the deficit over time under a budget scenario.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "planning_options.hpp"

namespace microplan::cli {

command add_plan(CLI::App& app) {
    auto args = std::make_shared<planning_args>();
    auto plan = std::make_shared<plan_args>();
    args->add(app);
    plan->add(app);
    return [args, plan] {
        auto t0 = clock_type::now();
        geo::usecases::plan_result r = geo::usecases::plan_store(args->request, plan->scenario);
        const geo::store::planning_inputs& in = *r.session.inputs;
        if (in.people.size() < 2)
            std::fprintf(stderr,
                         "note: the store holds population for %d only; it is held constant over the horizon "
                         "(add projected years with `microplan population project`)\n",
                         in.year);
        const geo::closing_plan& p = r.plan;
        emit(args->csv() ? geo::plan_csv(p) : dump(geo::plan_json(*r.session.model, p)), args->output);
        std::fprintf(stderr, "plan %s %d-%d computed in %.2f s\n", p.scenario.name.c_str(), p.first_year, p.last_year,
                     seconds_since(t0));
        return 0;
    };
}

}  // namespace microplan::cli
