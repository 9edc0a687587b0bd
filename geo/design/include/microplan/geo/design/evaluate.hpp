#pragma once
// Evaluation of a districting plan: any set of units (designed by microplan, official, a
// province's proposal) judged criterion by criterion, each with pass / fail, the reason and the
// units that fail - the "evaluate" mode of DistrictBuilder and GerryChain.
//
// Criteria:
//   population    every unit within `tolerance` of `target` people (not checked without a target
//                 or without people);
//   contiguity    every unit one territory (territory/contiguity.hpp: parts separated only by
//                 water or land outside the data count as one, and so do parts holding pieces of
//                 one legal exclave; the units joined that way are listed, not failed);
//   compactness   Polsby-Popper 4πA/P², Reock A/(area of the smallest enclosing circle) and the
//                 convex hull ratio A/(area of the convex hull), each against its minimum;
//   nesting       every unit inside its parent (its parent code, else the parent holding most
//                 of it), as validate() checks a hierarchy (not checked without parents);
//   splits        the finer units (parishes) shared by several units, with the people of each
//                 piece; a finer unit that holds no more than target × (1 + tolerance) people
//                 is split without need and fails (not checked without finer units);
//   overlaps_gaps units overlapping each other, gaps between them or inside their parents, and
//                 finer territory that no unit covers;
//   travel_time   every unit's people within `max_mean_minutes` of its seat on average
//                 (population-weighted minutes over a friction surface, computed by the caller:
//                 access/unit_travel.hpp); not checked without them.
//
// People. A unit's people are given, or summed from the finer units it covers. A finer unit's
// people are shared among its pieces by area weighted by the density of the unit holding each
// piece (the given people per km²; uniform when the plan has no people): dasymetric when the
// plan's own people are known, areal otherwise.
//
// Pure function of its inputs (projected geometries needed, in the analysis CRS of
// `validation.analysis_crs`); parallel over units with one GEOS context per thread;
// deterministic (units in plan order, finer units in their order).
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/territory/validate.hpp"

namespace microplan::geo::design {

struct evaluation_criteria {
    double target = 0;        // people per unit; 0 = no population criterion
    double tolerance = 0.05;  // allowed |people / target - 1|
    double min_polsby_popper = 0.05;
    double min_reock = 0.15;
    double min_convex_hull = 0.45;
    // A piece of a finer unit counts (for splits) when larger than the sliver area and than this
    // share of the finer unit or of the unit holding it: borders drawn from different sources
    // leave thin slivers, while a circuit inside a large city parish is a small share of it.
    double min_piece_share = 0.01;
    double max_mean_minutes = 60;   // travel_time: largest people-weighted mean minutes to the seat
    validation_options validation;  // slivers, nesting share, touch distance, analysis CRS, threads
};

struct plan_input {
    const unit_layer* plan = nullptr;      // the units judged (projected geometries)
    std::vector<double> population;        // per plan unit; empty = summed from the finer units
    const unit_layer* finer = nullptr;     // finer units (parishes, census zones); may be null
    std::vector<double> finer_population;  // per finer unit (same order); empty = none known
    const unit_layer* parents = nullptr;   // the parent level; may be null
    // Per plan unit: people-weighted mean and largest minutes to its seat, and the people beyond
    // reach (access/unit_travel.hpp); empty = no travel_time criterion.
    std::vector<double> mean_minutes, max_minutes, unreached;
};

enum class verdict { pass, fail, not_checked };
std::string_view verdict_name(verdict v);  // "pass", "fail", "not checked"

struct criterion_result {
    std::string name;  // population, contiguity, compactness, nesting, splits, overlaps_gaps, travel_time
    verdict result = verdict::not_checked;
    std::string reason;              // one sentence: why it passes, fails or was not checked
    std::vector<std::string> units;  // the units (or finer units, for splits) that fail
};

inline constexpr double not_measured = std::numeric_limits<double>::quiet_NaN();

struct unit_evaluation {
    std::string code, name, parent;
    double population = not_measured;
    double deviation = not_measured;  // people / target - 1
    double area_km2 = 0;
    double polsby_popper = 0, reock = 0, convex_hull = 0;
    int parts = 0;                          // polygons
    bool contiguous = true;                 // one territory under the island rule
    bool joined_across_water = false;       // several parts that the island or exclave rule joins
    double in_parent_share = not_measured;  // share of its area inside its parent
    std::size_t finer_units = 0;            // finer units it holds a piece of
    double mean_minutes = not_measured, max_minutes = not_measured;  // to its seat (travel_time)
    double unreached = not_measured;                                 // people who cannot reach its seat
    std::vector<std::string> failed;                                 // names of the criteria it fails
};

struct split_piece {
    std::string unit;  // the plan unit holding the piece
    double area_km2 = 0;
    double people = 0;
};

struct finer_split {
    std::string code, name;
    double population = not_measured;
    std::vector<split_piece> pieces;  // largest first
    bool needless = false;            // fits one unit (people <= target × (1 + tolerance))
};

struct plan_evaluation {
    std::vector<criterion_result> criteria;
    std::vector<unit_evaluation> units;  // plan order
    std::vector<finer_split> splits;     // the finer units in two or more units, in finer order
    std::vector<std::string> uncovered;  // finer units with territory no unit covers
    findings problems;                   // what validation found (overlaps, gaps, nesting, contiguity)
    double population = 0;               // total people in the plan's units
    double mean_abs_deviation = not_measured, max_abs_deviation = not_measured;
    bool have_people = false;           // the units' people are known
    std::optional<level> finer_level;   // the finer units' level; nullopt without them
    std::size_t finer_count = 0;        // how many finer units
    [[nodiscard]] bool passes() const;  // no criterion failed
    [[nodiscard]] const criterion_result* criterion(std::string_view name) const;
};

plan_evaluation evaluate_plan(const plan_input& in, const evaluation_criteria& criteria);

// The same evaluation against another target and tolerance: only the population and splits
// criteria and the deviations change (O(units + splits), no geometry), so a server evaluates a
// level once and answers every target from it.
void retarget(plan_evaluation& e, const evaluation_criteria& criteria);

// Reock compactness: area / area of the smallest circle enclosing the geometry (projected).
double reock(const GEOSGeometry* projected);
// Convex hull ratio: area / area of the convex hull (projected).
double convex_hull_ratio(const GEOSGeometry* projected);

}  // namespace microplan::geo::design
