// incremental_cost (access/cost_distance.hpp) against a full cost_distance after every edit, on
// random surfaces with impassable cells, with 8 and 16 neighbours, with and without slope.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "microplan/geo/access/cost_distance.hpp"

using namespace microplan::geo;
using namespace microplan::geo::access;

namespace {

cost_surface random_surface(std::mt19937& rng, bool sloped) {
    cost_surface s;
    s.g.cols = 61, s.g.rows = 47;
    s.g.x0 = 0, s.g.y0 = 47, s.g.ew_res = 1, s.g.ns_res = 1;
    std::uniform_real_distribution<float> cost(0.5f, 3.0f), z(0.0f, 0.2f);
    std::bernoulli_distribution wall(0.12);
    for (std::size_t i = 0; i < s.g.cells(); ++i) s.cost.push_back(wall(rng) ? std::nanf("") : cost(rng));
    if (sloped)
        for (std::size_t i = 0; i < s.g.cells(); ++i)
            s.elevation.push_back(z(rng) + 0.01f * static_cast<float>(i % 61));
    return s;
}

source random_source(std::mt19937& rng, std::int32_t id) {
    std::uniform_real_distribution<double> x(0.0, 61.0), y(0.0, 47.0);
    return {x(rng), y(rng), id};
}

// Costs within single-precision rounding; sources equal wherever the cost is not a near tie.
void expect_same(const incremental_cost& inc, const cost_surface& s, const std::vector<source>& sources,
                 const cost_distance_options& o, const std::string& step) {
    cost_distance_result full = cost_distance(s, sources, o);
    std::size_t differing_sources = 0;
    for (std::size_t c = 0; c < full.cost.size(); ++c) {
        const float a = inc.cost()[c], b = full.cost[c];
        if (std::isinf(b)) {
            ASSERT_TRUE(std::isinf(a)) << step << ": cell " << c << " reached incrementally only";
            continue;
        }
        ASSERT_NEAR(a, b, 1e-5 * std::max(1.0f, b)) << step << ": cell " << c;
        differing_sources += inc.nearest()[c] != full.nearest[c];
    }
    EXPECT_LE(differing_sources, full.cost.size() / 500) << step;  // exact ties only
}

void run_edits(bool knight, bool sloped, unsigned seed) {
    std::mt19937 rng(seed);
    const cost_surface s = random_surface(rng, sloped);
    cost_distance_options o;
    o.moves = knight ? neighbourhood::knight : neighbourhood::queen;
    o.threads = 1;
    std::vector<source> sources;
    for (std::int32_t i = 0; i < 6; ++i) sources.push_back(random_source(rng, i));
    incremental_cost inc(s, sources, o);
    expect_same(inc, s, sources, o, "start");
    for (std::int32_t i = 6; i < 10; ++i) {
        source added = random_source(rng, i);
        if (inc.add(added)) sources.push_back(added);
        expect_same(inc, s, sources, o, "after adding " + std::to_string(i));
    }
    for (std::int32_t id : {2, 7, 0, 9}) {
        bool present = std::any_of(sources.begin(), sources.end(), [&](const source& x) { return x.id == id; });
        EXPECT_EQ(inc.remove(id), present);
        std::erase_if(sources, [&](const source& x) { return x.id == id; });
        expect_same(inc, s, sources, o, "after removing " + std::to_string(id));
    }
    EXPECT_FALSE(inc.remove(42));
}

}  // namespace

TEST(IncrementalCost, AddingAndRemovingSourcesEqualsAFullRecomputeWithEightNeighbours) {
    for (unsigned seed : {1u, 2u, 3u}) run_edits(false, false, seed);
}

TEST(IncrementalCost, AndWithKnightsMovesAndSlope) {
    for (unsigned seed : {4u, 5u}) run_edits(true, false, seed);
    for (unsigned seed : {6u, 7u}) run_edits(true, true, seed);
}

TEST(IncrementalCost, AnEditChangesOnlyTheCellsItMustAndSaysWhich) {
    cost_surface s;
    s.g.cols = 10, s.g.rows = 1, s.g.y0 = 1;
    s.cost.assign(10, 1.0f);
    incremental_cost inc(s, std::vector<source>{{0.5, 0.5, 1}});
    ASSERT_TRUE(inc.add({9.5, 0.5, 2}));
    EXPECT_EQ(inc.changed().size(), 5u);  // cells 5..9 are nearer the new source (cell 5 by 4 to 5)
    EXPECT_EQ(inc.nearest()[6], 2);
    EXPECT_EQ(inc.nearest()[4], 1);
    EXPECT_FALSE(inc.add({20.5, 0.5, 3}));  // outside the grid
    ASSERT_TRUE(inc.remove(2));
    EXPECT_EQ(inc.nearest()[9], 1);
    EXPECT_FLOAT_EQ(inc.cost()[9], 9.0f);
}
