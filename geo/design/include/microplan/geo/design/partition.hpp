#pragma once
// Designing planning units from finer units: population-balanced, contiguous, compact
// parts of a parent, made of whole finer units wherever possible and of population-raster
// cells where a finer unit must be split (a city parish holding many circuits).
//
// Method (docs/design.md, "Designing circuits and districts"):
//   - Pieces: every finer unit ("atom") is one piece, except the atoms marked for splitting,
//     which become the cells of a sub-grid of the population raster (each raster cell cut
//     into s x s sub-cells, s chosen so the atom gets ~160 sub-cells per part it must make)
//     with their exact covered fraction. A split atom's people (its census count) are spread
//     over its sub-cells in proportion to the raster (uniformly when the raster has none).
//   - Adjacency: atoms that touch (queen); sub-cells of one atom through their sides
//     (so every designed polygon is one piece, not squares touching at corners);
//     a border sub-cell and a neighbouring atom (or its border sub-cells) when they meet.
//   - Growth: each output starts from its fixed pieces or from a seed (k-means++ on people,
//     from the run's seed), then the least-filled output (people / target) takes the
//     nearest free piece it may take on its frontier, until every piece is taken; Lloyd
//     rounds move seeds to the population centroid and grow again, keeping the most
//     balanced result. Contiguous by construction; a piece no allowed output can reach is
//     given to the nearest one and counted in `parts`.
//   - Refinement: boundary pieces move to a neighbouring output when both get closer to
//     their targets and the giving output stays connected (GerryChain's flip, greedy).
//   - Deterministic: no dependence on threads or timing, only on the input order and seed.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/design/pieces.hpp"
#include "microplan/geo/design/region_growth.hpp"
#include "microplan/geo/design/units.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::design {

// Designing a level from finer units without a codification: each parent gets
// round(people / target) units (at least one) of equal target; a finer unit with more than
// target x (1 + tolerance) people, or a parent with fewer finer units than units to make,
// has its finer units split on the raster.
struct design_options {
    level lvl = level::circuit;  // the level designed
    double target = 11000;
    double tolerance = 0.05;       // share of the target a unit may deviate (reported beyond)
    std::string code_infix = "C";  // unit codes: parent code + infix + two digits
    std::uint64_t seed = 1;
    int rounds = 8;
    std::string analysis_crs = "EPSG:32717";
    unsigned threads = 0;
    travel_minutes travel;  // optional: grow along travel time (region_growth.hpp)
};

struct design_result {
    unit_layer units;
    std::vector<unit_report> report;
    findings problems;
    std::size_t pieces = 0, split_units = 0;
};

design_result design_units(const unit_layer& atoms, std::span<const double> population,
                           std::span<const std::string> parent_of_atom, const weight_rasters& rasters,
                           const design_options& options);

}  // namespace microplan::geo::design
