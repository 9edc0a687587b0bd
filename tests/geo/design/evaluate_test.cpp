// Plan evaluation (design/evaluate.hpp) on hand-made plans: four parishes of 100 people in a
// row near Quito (boxes of 0.01°), two districts over them, and plans that pass or fail one
// criterion each - a split counted with its people, a unit cut by another unit's land and one
// whose parts face each other across water, a thin strip, a unit across two districts, an
// overlap and a parish left out.
#include "microplan/geo/design/evaluate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/design/units.hpp"

using namespace microplan::geo;
using namespace microplan::geo::design;

namespace {

constexpr double west = -78.50, south = -0.20, side = 0.01;

std::string box(double x, double y, double w, double h) {
    char wkt[256];
    std::snprintf(wkt, sizeof wkt, "((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", x, y, x + w, y, x + w,
                  y + h, x, y + h, x, y);
    return wkt;
}

// Columns [from, to) of the row of parishes, as one box.
std::string columns(double from, double to) { return box(west + from * side, south, (to - from) * side, side); }

unit make(level lvl, const std::string& code, const std::vector<std::string>& polygons,
          const std::string& parent = {}) {
    std::string wkt = "MULTIPOLYGON(";
    for (std::size_t i = 0; i < polygons.size(); ++i) wkt += (i ? "," : "") + polygons[i];
    unit u;
    u.lvl = lvl;
    u.code = code;
    u.parent_code = parent;
    u.geometry = geos::from_wkt(wkt + ")");
    measure_unit(u, "EPSG:32717");
    return u;
}

unit_layer parishes() {
    unit_layer l{level::parish, {}};
    for (int i = 0; i < 4; ++i)
        l.units.push_back(make(level::parish, "17010" + std::to_string(i + 1), {columns(i, i + 1)}));
    return l;
}

unit_layer districts() {
    unit_layer l{level::district, {}};
    l.units.push_back(make(level::district, "17D01", {columns(0, 2)}));
    l.units.push_back(make(level::district, "17D02", {columns(2, 4)}));
    return l;
}

template <class... Units>
unit_layer plan_of(Units... units) {
    unit_layer l{level::circuit, {}};
    (l.units.push_back(std::move(units)), ...);
    return l;
}

struct fixture {
    unit_layer finer = parishes(), parents = districts();
    std::vector<double> people{100, 100, 100, 100};
};

plan_evaluation run(const unit_layer& plan, fixture& f, double target, bool with_parents = true,
                    std::vector<double> plan_people = {}) {
    plan_input in;
    in.plan = &plan;
    in.population = std::move(plan_people);
    in.finer = &f.finer;
    in.finer_population = f.people;
    in.parents = with_parents ? &f.parents : nullptr;
    evaluation_criteria c;
    c.target = target;
    c.tolerance = 0.05;
    c.validation.threads = 2;
    return evaluate_plan(in, c);
}

verdict result_of(const plan_evaluation& e, const char* name) {
    const criterion_result* c = e.criterion(name);
    EXPECT_NE(c, nullptr) << name;
    return c ? c->result : verdict::not_checked;
}

const unit_evaluation& unit_of(const plan_evaluation& e, const std::string& code) {
    auto it = std::find_if(e.units.begin(), e.units.end(), [&](const auto& u) { return u.code == code; });
    EXPECT_NE(it, e.units.end()) << code;
    return *it;
}

}  // namespace

TEST(PlanEvaluation, ABalancedNestedPlanPassesEveryCriterion) {
    fixture f;
    unit_layer plan =
        plan_of(make(level::circuit, "17D01C01", {columns(0, 2)}), make(level::circuit, "17D02C01", {columns(2, 4)}));
    plan_evaluation e = run(plan, f, 200);
    for (const auto& c : e.criteria)
        EXPECT_EQ(c.result, c.name == "travel_time" ? verdict::not_checked : verdict::pass)
            << c.name << ": " << c.reason;
    EXPECT_TRUE(e.passes());
    EXPECT_NEAR(e.population, 400, 1e-6);
    EXPECT_NEAR(unit_of(e, "17D01C01").population, 200, 1e-6);
    EXPECT_NEAR(unit_of(e, "17D01C01").in_parent_share, 1.0, 1e-6);
    EXPECT_EQ(unit_of(e, "17D01C01").finer_units, 2u);
    // A 2:1 rectangle: Polsby-Popper 4π·2/36, Reock 2/(π·1.25), convex hull 1.
    EXPECT_NEAR(unit_of(e, "17D01C01").polsby_popper, 4 * std::numbers::pi * 2 / 36, 0.01);
    EXPECT_NEAR(unit_of(e, "17D01C01").reock, 2 / (std::numbers::pi * 1.25), 0.01);
    EXPECT_NEAR(unit_of(e, "17D01C01").convex_hull, 1.0, 1e-6);
}

TEST(PlanEvaluation, UnitsBeyondTheToleranceFailThePopulationCriterion) {
    fixture f;
    unit_layer plan =
        plan_of(make(level::circuit, "17D01C01", {columns(0, 2)}), make(level::circuit, "17D02C01", {columns(2, 4)}));
    plan_evaluation e = run(plan, f, 180);  // 200 people is 11 % above 180
    EXPECT_EQ(result_of(e, "population"), verdict::fail);
    EXPECT_EQ(e.criterion("population")->units.size(), 2u);
    EXPECT_NEAR(unit_of(e, "17D01C01").deviation, 200.0 / 180 - 1, 1e-9);
    EXPECT_NEAR(e.max_abs_deviation, 200.0 / 180 - 1, 1e-9);
    EXPECT_EQ(result_of(e, "contiguity"), verdict::pass);
    EXPECT_FALSE(e.passes());
}

TEST(PlanEvaluation, ASplitParishIsCountedWithThePeopleOfEachPiece) {
    fixture f;
    // Parish 170102 is cut in half: 150 and 250 people.
    unit_layer plan = plan_of(make(level::circuit, "17D01C01", {columns(0, 1.5)}),
                              make(level::circuit, "17D01C02", {columns(1.5, 4)}));
    plan_evaluation e = run(plan, f, 200, false);
    ASSERT_EQ(e.splits.size(), 1u);
    const finer_split& s = e.splits.front();
    EXPECT_EQ(s.code, "170102");
    ASSERT_EQ(s.pieces.size(), 2u);
    EXPECT_NEAR(s.pieces[0].people, 50, 0.5);
    EXPECT_NEAR(s.pieces[1].people, 50, 0.5);
    EXPECT_NEAR(unit_of(e, "17D01C01").population, 150, 0.5);
    EXPECT_NEAR(unit_of(e, "17D01C02").population, 250, 0.5);
    // 100 people fit in one unit of 200: a split without need.
    EXPECT_TRUE(s.needless);
    EXPECT_EQ(result_of(e, "splits"), verdict::fail);
    EXPECT_EQ(e.criterion("splits")->units, std::vector<std::string>{"170102"});
    EXPECT_EQ(result_of(e, "nesting"), verdict::not_checked);
}

TEST(PlanEvaluation, GivenPeopleShareASplitParishByTheDensityOfEachUnit) {
    fixture f;
    unit_layer plan = plan_of(make(level::circuit, "17D01C01", {columns(0, 1.5)}),
                              make(level::circuit, "17D01C02", {columns(1.5, 4)}));
    // 300 people on 1.5 parishes against 100 on 2.5: densities 200 and 40 per parish area,
    // so the halves of 170102 weigh 100 and 20 of its 100 people.
    plan_evaluation e = run(plan, f, 0, false, {300, 100});
    ASSERT_EQ(e.splits.size(), 1u);
    ASSERT_EQ(e.splits[0].pieces.size(), 2u);
    for (const split_piece& p : e.splits[0].pieces)
        EXPECT_NEAR(p.people, p.unit == "17D01C01" ? 100.0 * 100 / 120 : 100.0 * 20 / 120, 0.5) << p.unit;
    EXPECT_NEAR(unit_of(e, "17D01C01").population, 300, 1e-9);    // given people are kept
    EXPECT_EQ(result_of(e, "population"), verdict::not_checked);  // no target
    EXPECT_FALSE(e.splits[0].needless);                           // no target, no judgement
}

TEST(PlanEvaluation, OtherUnitsLandBetweenTwoPartsFailsContiguityWaterDoesNot) {
    fixture f;
    // 17D01C01 holds parishes 1 and 3 with parish 2 (another unit) between them. 17D02C01 has a
    // second part beyond a river 0.002° wide that no unit covers: one territory, listed.
    std::string across_river = box(west + 4 * side + 0.002, south, side, side);
    unit_layer plan = plan_of(make(level::circuit, "17D01C01", {columns(0, 1), columns(2, 3)}),
                              make(level::circuit, "17D01C02", {columns(1, 2)}),
                              make(level::circuit, "17D02C01", {columns(3, 4), across_river}));
    plan_evaluation e = run(plan, f, 0, false);
    EXPECT_EQ(result_of(e, "contiguity"), verdict::fail);
    EXPECT_EQ(e.criterion("contiguity")->units, std::vector<std::string>{"17D01C01"});
    EXPECT_FALSE(unit_of(e, "17D01C01").contiguous);
    EXPECT_TRUE(unit_of(e, "17D02C01").contiguous);
    EXPECT_TRUE(unit_of(e, "17D02C01").joined_across_water);
    EXPECT_EQ(unit_of(e, "17D02C01").parts, 2);
    EXPECT_NE(e.criterion("contiguity")->reason.find("joined across water"), std::string::npos);
}

TEST(PlanEvaluation, AThinStripFailsCompactness) {
    fixture f;
    unit_layer plan = plan_of(make(level::circuit, "17D01C01", {columns(0, 4)}),
                              make(level::circuit, "17D01C02", {box(west, south + side, 0.1, 0.001)}));
    plan_evaluation e = run(plan, f, 0, false);
    EXPECT_EQ(result_of(e, "compactness"), verdict::fail);
    EXPECT_EQ(e.criterion("compactness")->units, std::vector<std::string>{"17D01C02"});
    EXPECT_LT(unit_of(e, "17D01C02").polsby_popper, 0.05);
    EXPECT_LT(unit_of(e, "17D01C02").reock, 0.15);
    EXPECT_NEAR(unit_of(e, "17D01C02").convex_hull, 1.0, 1e-6);  // a rectangle is convex
}

TEST(PlanEvaluation, AUnitAcrossTwoDistrictsFailsNesting) {
    fixture f;
    unit_layer plan =
        plan_of(make(level::circuit, "17D01C01", {columns(1, 3)}), make(level::circuit, "17D01C02", {columns(0, 1)}),
                make(level::circuit, "17D02C01", {columns(3, 4)}));
    plan_evaluation e = run(plan, f, 0);
    EXPECT_EQ(result_of(e, "nesting"), verdict::fail);
    EXPECT_EQ(e.criterion("nesting")->units, std::vector<std::string>{"17D01C01"});
    EXPECT_NEAR(unit_of(e, "17D01C01").in_parent_share, 0.5, 0.01);
    EXPECT_NEAR(unit_of(e, "17D01C02").in_parent_share, 1.0, 0.01);
    // 17D02 is left with a gap where 17D01C01 took parish 3.
    EXPECT_EQ(result_of(e, "overlaps_gaps"), verdict::fail);
}

TEST(PlanEvaluation, OverlapsAndParishesLeftOutFail) {
    fixture f;
    unit_layer plan =
        plan_of(make(level::circuit, "17D01C01", {columns(0, 2)}), make(level::circuit, "17D01C02", {columns(1, 3)}));
    plan_evaluation e = run(plan, f, 0, false);
    const criterion_result* c = e.criterion("overlaps_gaps");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->result, verdict::fail);
    EXPECT_EQ(c->units, std::vector<std::string>{"17D01C01"});
    EXPECT_EQ(e.uncovered, std::vector<std::string>{"170104"});
    EXPECT_NE(c->reason.find("1 overlap(s)"), std::string::npos) << c->reason;
}

TEST(PlanEvaluation, WithoutTargetParentsOrFinerUnitsThoseCriteriaAreNotChecked) {
    unit_layer plan = plan_of(make(level::circuit, "17D01C01", {columns(0, 2)}));
    plan_input in;
    in.plan = &plan;
    plan_evaluation e = evaluate_plan(in, {});
    EXPECT_EQ(result_of(e, "population"), verdict::not_checked);
    EXPECT_EQ(result_of(e, "nesting"), verdict::not_checked);
    EXPECT_EQ(result_of(e, "splits"), verdict::not_checked);
    EXPECT_EQ(result_of(e, "contiguity"), verdict::pass);
    EXPECT_TRUE(std::isnan(unit_of(e, "17D01C01").population));
    EXPECT_TRUE(e.passes());
}

TEST(PlanEvaluation, ReockAndHullOfASquare) {
    geos::geom_ptr square = geos::from_wkt("POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))");
    EXPECT_NEAR(reock(square.get()), 2 / std::numbers::pi, 1e-3);
    EXPECT_NEAR(convex_hull_ratio(square.get()), 1.0, 1e-9);
    geos::geom_ptr ell = geos::from_wkt("POLYGON((0 0,2 0,2 1,1 1,1 2,0 2,0 0))");
    EXPECT_NEAR(convex_hull_ratio(ell.get()), 3.0 / 3.5, 1e-9);
}

TEST(PlanEvaluation, UnitsWhosePeopleTravelTooLongFailTravelTime) {
    fixture f;
    unit_layer plan =
        plan_of(make(level::circuit, "17D01C01", {columns(0, 2)}), make(level::circuit, "17D02C01", {columns(2, 4)}));
    plan_input in;
    in.plan = &plan;
    in.mean_minutes = {25, 75};
    in.max_minutes = {40, 130};
    in.unreached = {0, 12};
    plan_evaluation e = evaluate_plan(in, {});  // at most 60 minutes on average
    const criterion_result* c = e.criterion("travel_time");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->result, verdict::fail);
    EXPECT_EQ(c->units, std::vector<std::string>{"17D02C01"});
    EXPECT_NE(c->reason.find("1 unit(s) with people who cannot reach the seat"), std::string::npos) << c->reason;
    EXPECT_NEAR(unit_of(e, "17D02C01").max_minutes, 130, 1e-9);
    plan_input none;
    none.plan = &plan;
    EXPECT_EQ(result_of(evaluate_plan(none, {}), "travel_time"), verdict::not_checked);
}

TEST(PlanEvaluation, RetargetingGivesWhatEvaluatingWithThatTargetGives) {
    fixture f;
    unit_layer plan = plan_of(make(level::circuit, "17D01C01", {columns(0, 1.5)}),
                              make(level::circuit, "17D01C02", {columns(1.5, 4)}));
    plan_evaluation direct = run(plan, f, 200);
    plan_evaluation later = run(plan, f, 0);
    EXPECT_EQ(result_of(later, "population"), verdict::not_checked);
    evaluation_criteria c;
    c.target = 200;
    c.tolerance = 0.05;
    retarget(later, c);
    for (std::size_t k = 0; k < direct.criteria.size(); ++k) {
        EXPECT_EQ(later.criteria[k].result, direct.criteria[k].result) << direct.criteria[k].name;
        EXPECT_EQ(later.criteria[k].units, direct.criteria[k].units) << direct.criteria[k].name;
        EXPECT_EQ(later.criteria[k].reason, direct.criteria[k].reason) << direct.criteria[k].name;
    }
    EXPECT_NEAR(later.units[0].deviation, direct.units[0].deviation, 1e-12);
    EXPECT_EQ(later.splits[0].needless, direct.splits[0].needless);
    EXPECT_NEAR(later.max_abs_deviation, direct.max_abs_deviation, 1e-12);
    c.target = 0;  // and back: nothing judged
    retarget(later, c);
    EXPECT_EQ(result_of(later, "population"), verdict::not_checked);
    EXPECT_TRUE(std::isnan(later.units[0].deviation));
    EXPECT_TRUE(later.units[0].failed.empty());
}
