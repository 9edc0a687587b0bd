// Travel-time compactness (access/unit_travel.hpp) on a row of cells that cost one minute each:
// the seat at the people's centroid, a seat given, and people beyond an impassable cell.
#include "microplan/geo/access/unit_travel.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace microplan::geo;
using namespace microplan::geo::access;

namespace {

cost_surface row_of(std::size_t n) {
    cost_surface s;
    s.g.cols = n;
    s.g.rows = 1;
    s.cost.assign(n, 1.0f);
    return s;
}

unit_people_cells cells(std::vector<std::uint32_t> c, std::int64_t seat = -1) {
    unit_people_cells u;
    u.people.assign(c.size(), 1.0f);
    u.cells = std::move(c);
    u.seat = seat;
    return u;
}

}  // namespace

TEST(UnitTravel, TheBestPlacedSeatIsAtThePeoplesCentre) {
    cost_surface s = row_of(5);
    std::vector<unit_people_cells> units{cells({0, 1, 2, 3, 4}), cells({0, 1, 2, 3, 4}, 0)};
    auto t = travel_within_units(s, units, {.threads = 2});
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].seat, 2);
    EXPECT_NEAR(t[0].mean_minutes, (2 + 1 + 0 + 1 + 2) / 5.0, 1e-6);
    EXPECT_NEAR(t[0].max_minutes, 2, 1e-6);
    EXPECT_NEAR(t[0].reached, 5, 1e-9);
    EXPECT_EQ(t[1].seat, 0);  // the seat given
    EXPECT_NEAR(t[1].mean_minutes, (0 + 1 + 2 + 3 + 4) / 5.0, 1e-6);
}

TEST(UnitTravel, PeopleBeyondAnImpassableCellAreNotReached) {
    cost_surface s = row_of(5);
    s.cost[3] = std::nanf("");
    std::vector<unit_people_cells> units{cells({0, 1, 2, 4}), cells({3})};
    auto t = travel_within_units(s, units, {.threads = 1});
    EXPECT_NEAR(t[0].people, 4, 1e-9);
    EXPECT_NEAR(t[0].reached, 3, 1e-9);         // cell 4 lies beyond the impassable cell 3
    EXPECT_EQ(t[0].seat, 2);                    // the cell nearest the centroid 1.75
    EXPECT_NEAR(t[0].mean_minutes, 1.0, 1e-6);  // 2, 1 and 0 minutes
    EXPECT_EQ(t[1].seat, -1);                   // its only cell is impassable
    EXPECT_TRUE(std::isnan(t[1].mean_minutes));
}

TEST(UnitTravel, MinutesBetweenPointsStartNextToAnImpassableCell) {
    cost_surface s = row_of(8);
    s.g.y0 = 1;  // cells are the unit squares [c, c + 1] x [0, 1]
    s.cost[0] = std::nanf("");
    std::vector<std::pair<double, double>> to{{3.5, 0.5}, {7.5, 0.5}, {20.0, 0.5}};
    auto m = minutes_between(s, {0.5, 0.5}, to);  // starts from cell 1, the nearest passable one
    ASSERT_EQ(m.size(), 3u);
    EXPECT_NEAR(m[0], 2.0, 1e-6);
    EXPECT_NEAR(m[1], 6.0, 1e-6);
    EXPECT_TRUE(std::isinf(m[2]));  // off the grid
}
