#pragma once
// Microplanning over a store: the coverage model of the inputs read from it and the closing
// plan of a budget scenario (planning/coverage.hpp, planning/closing.hpp).
#include <string>

#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/store/planning_inputs.hpp"

namespace microplan::geo::usecases {

// The coverage model of the inputs' year, with the stored establishments placed.
coverage_model make_model(const store::planning_inputs& inputs, coverage_options options = {});

// The closing plan of a scenario (optimistic, moderate, pessimistic) from the inputs' year to
// `last_year`; `moderate_budget` 0 = 20 % of the investment the current gap needs.
closing_plan plan_for(const coverage_model& model, const store::planning_inputs& inputs,
                      const std::string& scenario = "moderate", double moderate_budget = 0, double growth = 0.05,
                      int last_year = 2035);

}  // namespace microplan::geo::usecases
