#pragma once
// Whether each unit is one territory, and which administrative units are split across zones:
// rules of any country's planning levels, checked by validate() (validate.hpp).
//
// One territory, islands aside. The territory of a level is the union of its units; its
// landmasses are the connected polygons of that union, so two landmasses are separated by
// sea or by land outside the data (a part of a unit that touches no other unit of the level
// is a landmass of its own: an island). A unit is one territory when, on every landmass, its
// parts form one connected piece (pieces smaller than `sliver_km2` aside), two parts being
// connected when
//   - they touch (closer than `touch_m`);
//   - the shortest line between them crosses no other unit of the level: they face each other
//     across water (Durán and Guayaquil across the Guayas river) or land outside the data (an
//     undelimited area);
//   - both hold a piece of one administrative unit (canton, province, parish) that is itself
//     in several pieces on that landmass - a legal exclave, such as the parish Tenguel of the
//     canton Guayaquil: a grouping that follows the legal units cannot make them touch
//     (undelimited areas, DPA codes 90..., are disputed land, not exclaves);
//   - (planning levels) both hold a piece of an administrative unit the law splits across
//     zones (`split_allowed`): what is left of Pichincha outside Quito is in two pieces.
// Parts on different landmasses are never compared (Galápagos in zone 5).
//   planning units (zone, district) in several pieces: error `territory.not_contiguous`, a
//     zone or district is administered as one territory;
//   administrative units (province, canton) in several pieces: info `territory.exclave`,
//     the law's territory as it is.
//
// Split groupings. An administrative unit (province, canton) whose area lies in two or more
// zones, each holding more than 1 - nesting_share of it, is a warning
// `hierarchy.split_across_zones`, unless its code is in `split_allowed` (the law splits it:
// Guayas and Pichincha in Ecuador).
//
// Pure functions of their inputs (projected geometries needed); parallel over units with one
// GEOS context per thread; deterministic (findings in unit order).
#include <span>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/territory/validate.hpp"

namespace microplan::geo {

// The one-territory rule for `layer`; `administrative` are the administrative layers present
// (their exclaves join parts, see above; `layer` itself may be among them).
findings check_one_territory(const unit_layer& layer, std::span<const unit_layer* const> administrative,
                             const validation_options& options);

// The split rule for the units of `grouping` (provinces or cantons) against `zones`.
findings check_split_across_zones(const unit_layer& grouping, const unit_layer& zones,
                                  const validation_options& options);

}  // namespace microplan::geo
