#pragma once
// Private to design: helpers shared by the stages of the national build (findings, envelopes,
// overlap, raster people over geometries).
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/design/pieces.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/raster.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::design::detail {

finding note(severity sev, std::string rule, std::optional<level> lvl, std::string code, std::string message,
             std::optional<long long> feature = std::nullopt);

// People as a whole number ("12345").
std::string fmt_people(double v);

// The envelope of `g`; for an empty geometry (a circuit left without territory) one that meets
// nothing.
geos::envelope box_of(const GEOSGeometry* g);

bool envelopes_meet(const geos::envelope& a, const geos::envelope& b);

// Intersection over union of two polygonal geometries (same CRS).
double intersection_over_union(const GEOSGeometry* a, const GEOSGeometry* b);

// The raster's people in each geometry (WGS 84), cells weighted by the fraction of their area
// inside it: the same figures as population/zonal.hpp's zonal_sums over the raster's file,
// computed on the grid already in memory.
std::vector<double> grid_sums(const population_grid& raster, std::span<const GEOSGeometry* const> geometries,
                              unsigned threads);

// People per parish on all the rasters.
std::vector<double> raster_people(const unit_layer& parishes, const weight_rasters& rasters, unsigned threads);

// People in `geometries` from census parishes spread by `raster` (null: by area):
// Σ_P census_P × W(g ∩ P) / W(P).
std::vector<double> census_by_raster(const std::vector<const GEOSGeometry*>& geometries, const unit_layer& parishes,
                                     std::span<const double> census, const population_grid* raster, unsigned threads);

}  // namespace microplan::geo::design::detail
