#pragma once
// The `establishments` table of the planning store: one row per establishment with its
// attributes, its POINT (EPSG:4326, NULL when its coordinates are unusable), the codes of
// the units it lies in at every level and how it was placed. Schema: README.md.
#include <span>
#include <vector>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/territory/assign.hpp"

namespace microplan::geo::store {

enum class establishment_write_mode {
    replace_sectors,  // rows of the sectors present in the new rows are replaced, others kept
    append,           // every existing row is kept
};

// Writes `rows` with their `placed` assignments (same order) and records the import.
void write_establishments(sqlite::connection& db, std::span<const establishment> rows,
                          std::span<const point_assignment> placed, const import_record& record, const findings& report,
                          establishment_write_mode mode);

// Every establishment in fid order; `row` holds the store fid.
std::vector<establishment> read_establishments(sqlite::connection& db);

// Rewrites the unit codes and placement of the establishments with the given fids.
void update_assignments(sqlite::connection& db, std::span<const establishment> rows,
                        std::span<const point_assignment> placed);

}  // namespace microplan::geo::store
