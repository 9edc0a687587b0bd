#pragma once
// The workshop scenarios the server edits: geo::usecases::scenario_book (usecases/scenarios.hpp)
// owns them; the service only maps HTTP to its calls (scenarios_service.hpp).
#include <optional>
#include <string>

#include "microplan/geo/usecases/scenario_travel.hpp"
#include "microplan/geo/usecases/scenarios.hpp"
#include "microplan/service/context.hpp"

namespace microplan::service {

using geo::usecases::proposed_establishment;
using geo::usecases::scenario_book;
using geo::usecases::scenario_summary;

// People within minutes of the sector's establishments per unit of `lvl`, live: the baseline
// and scenario `id` (0: the baseline alone) with its proposals. The proposals are read from the
// book first (its lock, released), then the snapshot's scenario_travel takes its own lock: never
// call this inside scenario_book::with_model. nullopt when the sector's stored travel-time run
// kept no surface; a surface or raster that cannot be read any more is a 503 naming the file.
std::optional<geo::usecases::scenario_travel_figures> live_travel(const request_context& ctx, std::int64_t id,
                                                                  const std::string& sector, geo::level lvl);

}  // namespace microplan::service
