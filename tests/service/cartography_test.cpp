// Label points and map views (service/cartography.hpp): a label lies inside its unit, in its
// largest polygon, away from the border; the mainland view leaves far islands out and names them.
#include "microplan/service/cartography.hpp"

#include <gtest/gtest.h>

using namespace microplan;
using microplan::service::label_point;
using microplan::service::map_views;

namespace {

tiles::polygon rect(double x0, double y0, double x1, double y1) { return {{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}; }

}  // namespace

TEST(Cartography, TheLabelIsInsideTheLargestPolygonAwayFromItsBorder) {
    // An L of two arms (the centroid of the bounding box, (5, 5), is outside it) and a small islet.
    tiles::polygon l{{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 10}, {0, 10}}}};
    auto at = label_point({rect(20, 20, 21, 21), l});
    ASSERT_TRUE(at);
    EXPECT_TRUE(at->x < 2 || at->y < 2) << at->x << " " << at->y;  // in an arm, not in the notch
    EXPECT_GT(at->x, 0.5);                                         // away from the border (the arms are 2 wide)
    EXPECT_GT(at->y, 0.5);
    // A square with a hole in its middle: the label avoids the hole.
    tiles::polygon holed = rect(0, 0, 10, 10);
    holed.rings.push_back({{3, 3}, {7, 3}, {7, 7}, {3, 7}});
    auto h = label_point({holed});
    ASSERT_TRUE(h);
    EXPECT_FALSE(h->x > 3 && h->x < 7 && h->y > 3 && h->y < 7) << h->x << " " << h->y;
    EXPECT_FALSE(label_point({}));
}

TEST(Cartography, TheMainlandViewLeavesFarIslandsOutAndNamesThem) {
    // Two units on the mainland, a coastal islet, an archipelago 9° west of two islands.
    std::vector<tiles::multipolygon> units = {
        {rect(-81, -5, -78, 1), rect(-81.6, -2.2, -81.3, -1.9)},
        {rect(-78, -5, -75, 1), rect(-91, -1.5, -90, -0.5), rect(-89.8, -1, -89.4, -0.6)}};
    std::vector<std::pair<std::string, tiles::box>> named = {{"COSTA", {-81.6, -5, -78, 1}},
                                                             {"ISLAS", {-91, -1.5, -89.4, -0.5}}};
    auto views = map_views(units, named);
    ASSERT_EQ(views.size(), 2u);
    EXPECT_EQ(views[0].id, "main");
    EXPECT_DOUBLE_EQ(views[0].bounds.minx, -81.6);  // the islet is part of the mainland view
    EXPECT_DOUBLE_EQ(views[0].bounds.maxx, -75);
    EXPECT_TRUE(views[0].names.empty());
    EXPECT_EQ(views[1].id, "outlying-1");
    EXPECT_DOUBLE_EQ(views[1].bounds.minx, -91);  // both islands in one view
    EXPECT_DOUBLE_EQ(views[1].bounds.maxx, -89.4);
    EXPECT_EQ(views[1].names, std::vector<std::string>{"ISLAS"});
    EXPECT_TRUE(map_views({}, {}).empty());
}
