// Accumulated cost on small grids whose answers follow from r.cost's cost model by hand, and
// the parallel bucket queue against the serial one.
#include "microplan/geo/access/cost_distance.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace microplan::geo::access {
namespace {

cost_surface uniform(std::size_t cols, std::size_t rows, float value) {
    cost_surface s;
    s.g.cols = cols, s.g.rows = rows, s.g.x0 = 0, s.g.y0 = static_cast<double>(rows), s.g.ew_res = s.g.ns_res = 1;
    s.cost.assign(cols * rows, value);
    return s;
}
std::size_t at(const cost_surface& s, std::size_t r, std::size_t c) { return r * s.g.cols + c; }

TEST(CostDistance, OrthogonalDiagonalAndKnightStepsFollowRcost) {
    auto s = uniform(5, 5, 2.0f);
    std::vector<source> src = {{2.5, 2.5, 7}};  // the centre cell (row 2, col 2)
    auto q = cost_distance(s, src);
    EXPECT_FLOAT_EQ(q.cost[at(s, 2, 2)], 0);
    EXPECT_FLOAT_EQ(q.cost[at(s, 2, 3)], 2.0f);                                    // (2 + 2) / 2 × 1
    EXPECT_FLOAT_EQ(q.cost[at(s, 1, 1)], static_cast<float>(2 * std::sqrt(2.0)));  // × √2
    // Without knight's moves, (row 0, col 3) is a diagonal then a vertical step.
    EXPECT_FLOAT_EQ(q.cost[at(s, 0, 3)], static_cast<float>(2 * std::sqrt(2.0) + 2));
    EXPECT_EQ(q.nearest[at(s, 0, 3)], 7);
    cost_distance_options k;
    k.moves = neighbourhood::knight;
    auto kn = cost_distance(s, src, k);
    EXPECT_FLOAT_EQ(kn.cost[at(s, 0, 3)], static_cast<float>(2 * std::sqrt(5.0)));  // (4 cells × 2) / 4 × √5
    EXPECT_EQ(kn.reached, 25u);
}

TEST(CostDistance, ImpassableCellsBlockAndKnightsMayNotPassBesideThem) {
    auto s = uniform(5, 5, 1.0f);
    s.cost[at(s, 1, 2)] = std::numeric_limits<float>::quiet_NaN();  // north of the centre
    std::vector<source> src = {{2.5, 2.5, 1}};
    cost_distance_options k;
    k.moves = neighbourhood::knight;
    auto r = cost_distance(s, src, k);
    EXPECT_TRUE(std::isinf(r.cost[at(s, 1, 2)]));
    EXPECT_EQ(r.nearest[at(s, 1, 2)], -1);
    // (row 0, col 3) by a knight's move would pass beside the blocked cell: refused, so the
    // cheapest path is NE diagonal then north: √2 + 1.
    EXPECT_FLOAT_EQ(r.cost[at(s, 0, 3)], static_cast<float>(std::sqrt(2.0) + 1));
    // A source on an impassable cell or outside the grid is reported, not used.
    std::vector<source> bad = {{2.5, 3.5, 2}, {99, 99, 3}};
    auto none = cost_distance(s, bad);
    EXPECT_EQ(none.unplaced.size(), 2u);
    EXPECT_EQ(none.reached, 0u);
}

TEST(CostDistance, NonSquareCellsScaleNorthSouthMoves) {
    auto s = uniform(3, 3, 1.0f);
    s.g.ns_res = 2;  // cells twice as tall as wide
    s.g.y0 = 6;
    std::vector<source> src = {{1.5, 3.0, 1}};  // centre cell
    auto r = cost_distance(s, src);
    EXPECT_FLOAT_EQ(r.cost[at(s, 0, 1)], 2.0f);  // × ns/ew
    EXPECT_FLOAT_EQ(r.cost[at(s, 1, 0)], 1.0f);
    EXPECT_FLOAT_EQ(r.cost[at(s, 0, 0)], static_cast<float>(std::sqrt(5.0)));  // × √(1 + 4)
}

TEST(CostDistance, ParallelBucketsGiveTheSameAnswerAsOneThread) {
    auto s = uniform(1500, 1000, 1.0f);  // large enough for buckets to be settled in parallel
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(1.0f, 3.0f);
    for (auto& v : s.cost) v = rng() % 13 == 0 ? std::numeric_limits<float>::quiet_NaN() : u(rng);
    std::vector<source> src;
    for (int i = 0; i < 40; ++i)
        src.push_back({static_cast<double>(rng() % 1500) + 0.5, static_cast<double>(rng() % 1000) + 0.5, i});
    for (auto moves : {neighbourhood::queen, neighbourhood::knight}) {
        cost_distance_options one{moves, std::numeric_limits<double>::infinity(), 1};
        cost_distance_options many{moves, std::numeric_limits<double>::infinity(), 4};
        auto a = cost_distance(s, src, one), b = cost_distance(s, src, many);
        ASSERT_EQ(a.reached, b.reached);
        for (std::size_t i = 0; i < a.cost.size(); ++i) ASSERT_EQ(a.cost[i], b.cost[i]) << i;
        // A heap-based Dijkstra (zero-cost cells force it) agrees too.
        auto z = s;
        z.cost[0] = 0;
        auto h = cost_distance(z, src, one), hb = cost_distance(z, src, many);
        ASSERT_EQ(h.reached, hb.reached);
    }
}

TEST(CostDistance, CostsAloneEqualTheCostsBesideTheNearestSource) {
    auto s = uniform(900, 700, 1.0f);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(1.0f, 4.0f);
    for (auto& v : s.cost) v = rng() % 11 == 0 ? std::numeric_limits<float>::quiet_NaN() : u(rng);
    std::vector<source> src;
    for (int i = 0; i < 30; ++i)
        src.push_back({static_cast<double>(rng() % 900) + 0.5, static_cast<double>(rng() % 700) + 0.5, i});
    for (auto moves : {neighbourhood::queen, neighbourhood::knight})
        for (unsigned threads : {1u, 3u}) {
            cost_distance_options full{moves, std::numeric_limits<double>::infinity(), threads};
            cost_distance_options alone = full;
            alone.nearest = false;
            auto a = cost_distance(s, src, full), b = cost_distance(s, src, alone);
            EXPECT_TRUE(b.nearest.empty());
            ASSERT_EQ(a.reached, b.reached);
            ASSERT_EQ(a.unplaced, b.unplaced);
            for (std::size_t i = 0; i < a.cost.size(); ++i) ASSERT_EQ(a.cost[i], b.cost[i]) << i;
        }
}

}  // namespace
}  // namespace microplan::geo::access
