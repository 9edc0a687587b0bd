#pragma once
// Everything the coverage model needs, read through the store interface: the planning
// hierarchy without geometry, population per year, unit attributes, establishments placed by
// the unit codes stored with them, and stored accessibility results.
#include <optional>
#include <vector>

#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::store {

// The planning levels present (zone, district, circuit, top-down) without geometries. Throws
// store_error when the store holds none.
territory read_territory(planning_store& store);

// Every stored year of population for the territory's tiers (year -> tier -> bands).
population_by_year read_population_years(const territory& where, planning_store& store);

// Establishments placed by the unit codes stored with them; `fids` gets each one's store fid.
std::vector<placed_establishment> read_placed_establishments(const territory& where, planning_store& store,
                                                             std::vector<std::int64_t>& fids);

// Everything loaded for one population year (by default the base year: the latest that is
// not a projection).
struct planning_inputs {
    standards_catalogue catalogue;
    territory where;
    population_by_year people;
    int year = 0;  // the year the model holds
    std::vector<unit_attributes> attributes;
    std::vector<placed_establishment> establishments;
    std::vector<std::int64_t> establishment_fids;  // the store fid of each, in the same order
    accessibility_index accessibility;             // stored accessibility results (may be empty)
    std::optional<budget_scenarios> budget;        // the budget scenarios in force (older stores: none)
    sectors_catalogue sectors;                     // the sectors table in force, else the built-in eight
};
// Throws store_error when the store has no planning levels, no population or no standards
// (and no catalogue is given), each with what to run to get them.
planning_inputs read_planning_inputs(planning_store& store, const std::optional<standards_catalogue>& catalogue = {},
                                     std::optional<int> year = {});

}  // namespace microplan::geo::store
