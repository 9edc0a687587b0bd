#pragma once
// Accessibility of a store's establishments: which establishments (read from the store), then
// travel time or straight-line distance from every inhabited cell and the statistics per unit
// of every level the store holds (computed by access/population_access.hpp).
#include <string>
#include <vector>

#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::usecases {

// Existing establishments of a sector (and typology, "" = all) with usable coordinates, in `crs`.
establishment_points read_establishment_points(store::planning_store& db, const std::string& sector,
                                               const std::string& typology, const std::string& crs);

// Every level the store holds (geometries in WGS 84), read once for several runs.
std::vector<unit_layer> read_unit_levels(store::planning_store& db);

// access::travel_time_accessibility for the store's establishments of options.sector.
access::travel_time_result travel_time_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                                     const cost_surface& surface, const population_grid& pop,
                                                     const access::accessibility_options& options);

// access::distance_accessibility for the store's establishments of options.sector.
accessibility_run distance_accessibility(store::planning_store& db, std::span<const unit_layer> levels,
                                         const population_grid& pop, const access::accessibility_options& options,
                                         std::vector<float>* km_out = nullptr);

}  // namespace microplan::geo::usecases
