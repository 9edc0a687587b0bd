#pragma once
// Private to usecases: reading the plans that `design evaluate`, `design compare` and the
// assignment files work on - polygon sources (dissolved by code prefix when asked), the units
// of a store, and the people of either.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/plan_evaluation.hpp"

namespace microplan::geo::usecases::detail {

// The file name of `path` without its folders (for labels shown to users).
std::string file_name(const std::string& path);

// The units of `src` at level `lvl`, measured in `analysis_crs`; with dissolve_prefix, units
// sharing the first N characters of their code merged. Code-shape findings are left out (a
// proposal may number its units freely); other reading findings go to `report`.
unit_layer read_polygons(const polygon_source& src, level lvl, const std::string& analysis_crs, unsigned threads,
                         findings& report);

// The units of `layer` sharing more than `min_shared_km2` (or more than half of themselves, when
// smaller) with the units of `plan`: borders drawn from different sources overlap by slivers,
// which do not make a neighbour part of the plan.
inline constexpr double sliver_km2 = 0.05;
unit_layer meeting(unit_layer layer, const unit_layer& plan, double min_shared_km2 = sliver_km2);

// Gives a parent code to the units of `plan` that have none (no field, a code that does not
// carry it): the parent holding most of the unit.
void assign_parents(unit_layer& plan, const unit_layer& parents);

// People per unit of `units` (same order; 0 when missing) from a table (any GDAL table).
std::vector<double> people_from_table(const std::string& path, const std::string& code_field,
                                      const std::string& value_field, const unit_layer& units, level lvl,
                                      findings& report);

// People per unit of `units` stored for their level (the base year unless `year`); empty when
// the store holds none.
std::vector<double> people_from_store(store::planning_store& db, const unit_layer& units, std::optional<int> year);

// Per unit of `a`, the units of `b` it shares a positive area with and that area (m², in the
// analysis CRS), largest first.
std::vector<std::vector<std::pair<std::size_t, double>>> overlap_areas(const unit_layer& a, const unit_layer& b,
                                                                       unsigned threads);

// People of each `target` unit from the `source` units' people, each spread evenly over its
// area (areal interpolation, not normalised: a source half outside every target keeps half).
std::vector<double> people_by_area(const unit_layer& source, std::span<const double> people, const unit_layer& target,
                                   unsigned threads);

// A plan: the level `lvl` of a planning store (when `src.path` is one) or a polygon source;
// `label` says which ("circuits of ec.sqlite").
unit_layer read_plan_units(const polygon_source& src, level lvl, const std::string& crs, unsigned threads,
                           findings& report, std::string& label);

// True when `path` is a planning store (not any other file, SQLite-based GeoPackages included).
bool is_planning_store(const std::string& path);

}  // namespace microplan::geo::usecases::detail
