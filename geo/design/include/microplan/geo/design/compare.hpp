#pragma once
// Comparison of two districting plans of the same territory (plan A, the reference, and plan
// B): which units correspond, which finer units and how many people change unit, and two
// distances between the partitions.
//
// Cells. The plans are intersected (every A unit with every B unit it meets); the people of a
// cell are the finer units' people shared by area (each finer unit's people spread evenly over
// it), or, without finer units, A's people shared by area.
// Matching. Units are matched one to one, greedily by shared people (ties: shared area, then
// codes), so that every A unit has at most one B unit; units left over are unmatched.
// Distances.
//   people moved (Hamming-style): the people outside the matched cells - those who would change
//     unit if B replaced A, units renamed to their match;
//   variation of information: H(A|B) + H(B|A) in bits over the people's joint distribution
//     (0 for identical partitions, log2(n) at most).
// Finer units that change: those whose largest piece in B is not the match of their largest
// piece in A.
//
// Pure function of its inputs (projected geometries in `analysis_crs`); parallel over A's
// units with one GEOS context per thread; deterministic.
#include <cstddef>
#include <string>
#include <vector>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::design {

struct comparison_input {
    const unit_layer* a = nullptr;
    const unit_layer* b = nullptr;
    std::vector<double> a_population;      // per A unit; used without finer people
    const unit_layer* finer = nullptr;     // may be null
    std::vector<double> finer_population;  // per finer unit
    double sliver_km2 = 0.05;              // cells smaller than this are not mapped
    std::string analysis_crs = "EPSG:32717";
    unsigned threads = 0;
};

struct unit_match {
    std::string a, b;  // "" on the side with no unit left to match
    double shared_people = 0, shared_km2 = 0;
    double iou = 0;  // shared area / union area
};

struct finer_change {
    std::string code, name;
    std::string a, b;  // its unit in each plan (the one holding most of it)
    double people = 0;
};

struct changed_cell {
    std::string a, b;
    double people = 0, area_km2 = 0;
    geos::geom_ptr geometry;  // WGS 84
};

struct plan_comparison {
    std::vector<unit_match> matches;                            // A's units in their order, then B's left unmatched
    std::vector<finer_change> changed;                          // finer units that change unit, in finer order
    std::vector<changed_cell> changed_cells;                    // cells outside the matched pairs, larger than a sliver
    double people = 0;                                          // people in the cells
    double people_moved = 0;                                    // outside the matched cells
    double variation_of_information = 0;                        // bits
    std::size_t a_units = 0, b_units = 0, identical_units = 0;  // identical: IoU above 0.99
    bool by_area = false;                                       // no people given: areas stand for people
};

plan_comparison compare_plans(const comparison_input& in);

}  // namespace microplan::geo::design
