#pragma once
// The workshop scenarios the server edits: geo::usecases::scenario_book (usecases/scenarios.hpp)
// owns them; the service only maps HTTP to its calls (scenarios_service.hpp).
#include "microplan/geo/usecases/scenarios.hpp"

namespace microplan::service {

using geo::usecases::proposed_establishment;
using geo::usecases::scenario_book;
using geo::usecases::scenario_summary;

}  // namespace microplan::service
