#pragma once
// Accessibility results in the planning store (README "Planning store"): one row per run in
// `accessibility_runs` (sector, typology, measure, units, method) and its statistics per unit
// and threshold in `accessibility` (people within, %, population-weighted mean and median).
// A run replaces the earlier run of the same sector, typology and measure.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/accessibility.hpp"
#include "microplan/geo/core/sqlite.hpp"

namespace microplan::geo::store {



// Writes a run (and deletes the earlier one of the same sector, typology and measure);
// returns its id.
std::int64_t write_accessibility(sqlite::connection& db, const accessibility_run& run);

// Every stored run, statistics included.
std::vector<accessibility_run> read_accessibility(sqlite::connection& db);



}  // namespace microplan::geo::store
