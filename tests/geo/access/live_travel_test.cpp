// travel_state (access/live_travel.hpp) against the accessibility statistics of a full
// recompute (unit_statistics over cost_distance) after every add and remove, on a random
// surface with impassable cells, units that cut cells, 8 and 16 neighbours, with and without
// slope; the shared baseline stays as it was.
#include "microplan/geo/access/live_travel.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "microplan/geo/access/population_access.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/io/raster.hpp"
#include "support.hpp"

using namespace microplan::geo;
using namespace microplan::geo::access;

namespace {

constexpr int cols = 60, rows = 45;
constexpr double x0 = 500000, y0 = 9900000, res = 1000;
const std::vector<double> thresholds = {10.3, 25.7, 60.1};

population_grid random_population(const microplan::test::scratch& dir, std::mt19937& rng) {
    gdal::ensure_registered();
    const std::string path = dir.path("pop.tif");
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), cols, rows, 1, GDT_Float32, nullptr));
    double gt[6] = {x0, res, 0, y0, 0, -res};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(32717);
    ds->SetSpatialRef(&srs);
    std::uniform_real_distribution<float> people(0.0f, 80.0f);
    std::bernoulli_distribution empty(0.3);
    std::vector<float> values(cols * rows);
    for (float& v : values) v = empty(rng) ? 0.0f : people(rng);
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, cols, rows, values.data(), cols, rows, GDT_Float32, 0, 0),
              CE_None);
    ds.reset();
    return read_population_grid(path, "EPSG:32717");
}

cost_surface random_surface(const grid& g, std::mt19937& rng, bool sloped) {
    cost_surface s;
    s.g = g;
    std::uniform_real_distribution<float> cost(0.5f, 3.0f), z(0.0f, 40.0f);
    std::bernoulli_distribution wall(0.12);
    for (std::size_t i = 0; i < g.cells(); ++i) s.cost.push_back(wall(rng) ? std::nanf("") : cost(rng));
    if (sloped)
        for (std::size_t i = 0; i < g.cells(); ++i) s.elevation.push_back(z(rng) + 5.0f * static_cast<float>(i % cols));
    return s;
}

// A level of nx × ny rectangles over the grid, their borders through the middle of cells.
std::vector<geos::geom_ptr> rectangles(int nx, int ny) {
    std::vector<geos::geom_ptr> out;
    const double w = cols * res / nx, h = rows * res / ny;
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const double a = x0 + i * w, b = a + w, top = y0 - j * h, bottom = top - h;
            char wkt[256];
            std::snprintf(wkt, sizeof wkt, "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))", a, bottom, b, bottom, b, top, a,
                          top, a, bottom);
            out.push_back(geos::from_wkt(wkt));
        }
    return out;
}

// The live figures equal the statistics of a full recompute from `sources`.
void expect_full(const travel_state& live, const population_grid& pop,
                 const std::vector<std::vector<geos::geom_ptr>>& lv, const std::vector<source>& sources,
                 const cost_distance_options& o, const std::string& step) {
    const cost_surface& s = live.base().surface();
    const auto full = cost_distance(s, sources, o);
    const auto values = sample_at_centres(pop, s.g, full.cost);
    for (std::size_t l = 0; l < lv.size(); ++l) {
        std::vector<const GEOSGeometry*> geoms;
        for (const auto& g : lv[l]) geoms.push_back(g.get());
        const auto expected = unit_statistics(pop, values, geoms, "EPSG:32717", thresholds);
        for (std::size_t u = 0; u < geoms.size(); ++u) {
            const unit_reach& got = live.figures()[l][u];
            const std::string where = step + ", level " + std::to_string(l) + ", unit " + std::to_string(u);
            ASSERT_NEAR(got.population, expected[u].population, 1e-6) << where;
            for (std::size_t t = 0; t < thresholds.size(); ++t)
                ASSERT_NEAR(got.within[t], expected[u].within[t], 1e-6) << where << ", " << thresholds[t] << " min";
            if (expected[u].mean) {
                ASSERT_GT(got.reached, 0) << where;
                EXPECT_NEAR(got.person_minutes / got.reached, *expected[u].mean, 1e-3) << where;
            }
        }
    }
}

void run_edits(bool knight, bool sloped, unsigned seed) {
    microplan::test::scratch dir;
    std::mt19937 rng(seed);
    const population_grid pop = random_population(dir, rng);
    std::vector<std::vector<geos::geom_ptr>> lv;
    lv.push_back(rectangles(2, 1));  // zones
    lv.push_back(rectangles(4, 3));  // circuits
    std::vector<level_cells> levels;
    for (std::size_t l = 0; l < lv.size(); ++l) {
        std::vector<const GEOSGeometry*> geoms;
        for (const auto& g : lv[l]) geoms.push_back(g.get());
        level_cells cells{"level" + std::to_string(l), std::vector<std::string>(geoms.size()),
                          unit_cell_people(pop, geoms, "EPSG:32717")};
        levels.push_back(std::move(cells));
    }
    cost_distance_options o;
    o.moves = knight ? neighbourhood::knight : neighbourhood::queen;
    o.threads = 1;
    std::uniform_real_distribution<double> x(x0, x0 + cols * res), y(y0 - rows * res, y0);
    std::vector<source> sources;
    for (std::int32_t i = 0; i < 4; ++i) sources.push_back({x(rng), y(rng), i});
    auto base = std::make_shared<const travel_base>(random_surface(pop.g, rng, sloped), pop, std::move(levels),
                                                    thresholds, sources, o);
    const auto baseline = base->figures();
    travel_state live(base);
    expect_full(live, pop, lv, sources, o, "start");
    for (std::int32_t i = 100; i < 104; ++i) {
        source s{x(rng), y(rng), i};
        if (!live.add(s)) continue;  // an impassable cell
        sources.push_back(s);
        expect_full(live, pop, lv, sources, o, "add " + std::to_string(i));
    }
    for (std::int32_t id : {1, 102, 0}) {
        if (!live.remove(id)) continue;
        std::erase_if(sources, [&](const source& s) { return s.id == id; });
        expect_full(live, pop, lv, sources, o, "remove " + std::to_string(id));
    }
    EXPECT_FALSE(live.remove(999));
    EXPECT_FALSE(live.add({x0 - 5000, y0, 500}));  // off the surface
    // The baseline every scenario starts from is untouched.
    for (std::size_t l = 0; l < baseline.size(); ++l)
        for (std::size_t u = 0; u < baseline[l].size(); ++u)
            EXPECT_EQ(base->figures()[l][u].within, baseline[l][u].within);
    travel_state fresh(base);
    EXPECT_EQ(fresh.figures()[1][0].within, baseline[1][0].within);
}

TEST(LiveTravel, EqualsAFullRecomputeAfterEveryEdit) { run_edits(false, false, 7); }
TEST(LiveTravel, EqualsAFullRecomputeWithKnightsMoves) { run_edits(true, false, 11); }
TEST(LiveTravel, EqualsAFullRecomputeWithSlope) { run_edits(false, true, 13); }

TEST(LiveTravel, ASurfaceWrittenWholeIsReadBackWhole) {
    microplan::test::scratch dir;
    std::mt19937 rng(5);
    const population_grid pop = random_population(dir, rng);
    cost_surface s = random_surface(pop.g, rng, true);
    for (std::size_t i = 0; i < s.g.cells(); ++i) s.walking.push_back(i % 3 ? 1 : 0);
    s.elevation[4] = std::nanf("");
    const std::string path = dir.path("surface.tif");
    write_cost_surface(path, s);
    const cost_surface back = read_cost_raster(path);
    ASSERT_EQ(back.cost.size(), s.cost.size());
    for (std::size_t i = 0; i < s.cost.size(); ++i) {
        ASSERT_EQ(std::isnan(back.cost[i]), std::isnan(s.cost[i])) << i;
        if (!std::isnan(s.cost[i])) {
            ASSERT_EQ(back.cost[i], s.cost[i]) << i;
        }
    }
    EXPECT_TRUE(std::isnan(back.elevation[4]));
    EXPECT_EQ(back.elevation[5], s.elevation[5]);
    EXPECT_EQ(back.walking, s.walking);
    EXPECT_EQ(back.g.cols, s.g.cols);
    EXPECT_DOUBLE_EQ(back.g.x0, s.g.x0);
    // A plain friction raster has neither band.
    write_float_raster(dir.path("plain.tif"), s.g, s.cost);
    const cost_surface plain = read_cost_raster(dir.path("plain.tif"));
    EXPECT_TRUE(plain.elevation.empty());
    EXPECT_TRUE(plain.walking.empty());
}

}  // namespace
