#include "microplan/geo/usecases/planning.hpp"

#include <algorithm>

namespace microplan::geo::usecases {

closing_plan plan_for(const coverage_model& model, const store::planning_inputs& inputs, const std::string& scenario,
                      double moderate_budget, double growth, int last_year) {
    double base = moderate_budget > 0 ? moderate_budget : 0.20 * model.sector_national("").investment;
    plan_options o;
    for (const auto& s : standard_scenarios(base, growth))
        if (s.name == scenario) o.scenario = s;
    o.first_year = inputs.year;
    o.last_year = std::max(inputs.year, last_year);
    return plan_closing(model, inputs.people, o);
}

coverage_model make_model(const store::planning_inputs& in, coverage_options options) {
    coverage_model m(in.catalogue, in.where, population_for_year(in.people, in.year), in.attributes, options);
    m.set_establishments(in.establishments);
    return m;
}

}  // namespace microplan::geo::usecases
