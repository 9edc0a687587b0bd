// Plan comparison (design/compare.hpp) on hand-made plans: four parishes in a row near Quito
// with 100, 100, 100 and 50 people; plan B moves parish 3 from A's second unit to its first,
// so exactly 100 people change unit.
#include "microplan/geo/design/compare.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "microplan/geo/design/units.hpp"

using namespace microplan::geo;
using namespace microplan::geo::design;

namespace {

unit make(level lvl, const std::string& code, double from, double to) {
    char wkt[256];
    double w = -78.50 + from * 0.01, e = -78.50 + to * 0.01, s = -0.20, n = -0.19;
    std::snprintf(wkt, sizeof wkt, "MULTIPOLYGON(((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f)))", w, s, e, s, e,
                  n, w, n, w, s);
    unit u;
    u.lvl = lvl;
    u.code = code;
    u.geometry = geos::from_wkt(wkt);
    measure_unit(u, "EPSG:32717");
    return u;
}

unit_layer layer(level lvl, std::vector<std::tuple<std::string, double, double>> spec) {
    unit_layer l{lvl, {}};
    for (auto& [code, from, to] : spec) l.units.push_back(make(lvl, code, from, to));
    return l;
}

struct fixture {
    unit_layer parishes =
        layer(level::parish, {{"170101", 0, 1}, {"170102", 1, 2}, {"170103", 2, 3}, {"170104", 3, 4}});
    std::vector<double> people{100, 100, 100, 50};
    unit_layer a = layer(level::circuit, {{"17D01C01", 0, 2}, {"17D01C02", 2, 4}});

    plan_comparison compare(const unit_layer& b, bool with_people = true) {
        comparison_input in;
        in.a = &a;
        in.b = &b;
        if (with_people) {
            in.finer = &parishes;
            in.finer_population = people;
        }
        in.threads = 2;
        return compare_plans(in);
    }
};

}  // namespace

TEST(PlanComparison, ExactlyTheMovedParishsPeopleChangeUnit) {
    fixture f;
    unit_layer b = layer(level::circuit, {{"B1", 0, 3}, {"B2", 3, 4}});
    plan_comparison c = f.compare(b);
    ASSERT_EQ(c.matches.size(), 2u);
    EXPECT_EQ(c.matches[0].a, "17D01C01");
    EXPECT_EQ(c.matches[0].b, "B1");
    EXPECT_NEAR(c.matches[0].shared_people, 200, 0.01);
    EXPECT_NEAR(c.matches[0].iou, 2.0 / 3.0, 1e-3);
    EXPECT_EQ(c.matches[1].b, "B2");
    EXPECT_NEAR(c.people, 350, 0.01);
    EXPECT_NEAR(c.people_moved, 100, 0.01);
    ASSERT_EQ(c.changed.size(), 1u);
    EXPECT_EQ(c.changed[0].code, "170103");
    EXPECT_EQ(c.changed[0].a, "17D01C02");
    EXPECT_EQ(c.changed[0].b, "B1");
    EXPECT_NEAR(c.changed[0].people, 100, 0.01);
    ASSERT_EQ(c.changed_cells.size(), 1u);  // parish 3, now in B1
    EXPECT_NEAR(c.changed_cells[0].people, 100, 0.01);
    EXPECT_NEAR(c.changed_cells[0].area_km2, 1.23, 0.05);  // 0.01° × 0.01° near the equator
    // VI = -Σ p (log2 p/pA + log2 p/pB) over the cells 200, 100 and 50 of 350 people.
    double vi = 0;
    for (auto [p, pa, pb] : {std::tuple{200.0, 200.0, 300.0}, {100.0, 150.0, 300.0}, {50.0, 150.0, 50.0}})
        vi -= p / 350 * (std::log2(p / pa) + std::log2(p / pb));
    EXPECT_NEAR(c.variation_of_information, vi, 1e-6);
    EXPECT_EQ(c.identical_units, 0u);
}

TEST(PlanComparison, APlanComparedWithItselfMovesNobody) {
    fixture f;
    unit_layer same = layer(level::circuit, {{"X", 0, 2}, {"Y", 2, 4}});
    plan_comparison c = f.compare(same);
    EXPECT_NEAR(c.people_moved, 0, 1e-9);
    EXPECT_NEAR(c.variation_of_information, 0, 1e-9);
    EXPECT_EQ(c.identical_units, 2u);
    EXPECT_TRUE(c.changed.empty());
    EXPECT_TRUE(c.changed_cells.empty());
}

TEST(PlanComparison, ExtraUnitsAreLeftUnmatchedAndAreasStandForPeopleWithoutThem) {
    fixture f;
    unit_layer b = layer(level::circuit, {{"B1", 0, 2}, {"B2", 2, 3}, {"B3", 3, 4}});
    plan_comparison c = f.compare(b, false);
    EXPECT_TRUE(c.by_area);
    ASSERT_EQ(c.matches.size(), 3u);
    EXPECT_EQ(c.matches[2].a, "");
    EXPECT_TRUE(c.matches[2].b == "B2" || c.matches[2].b == "B3");  // the smaller half of A's second unit
    EXPECT_NEAR(c.people_moved / c.people, 0.25, 1e-3);
}
