// Tiles: shared-border topology, simplification error, MVT encoding read back by GDAL's
// MVT driver, clipping and the tile size limit.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <map>
#include <random>

#include "microplan/tiles/coverage_topology.hpp"
#include "microplan/tiles/mvt.hpp"
#include "microplan/tiles/tileset.hpp"
#include "tiles/open_tile.hpp"

namespace microplan::tiles {
namespace {

// A wiggly border from (x0, y) to (x1, y): n vertices, deterministic.
std::vector<point> wiggle(double x0, double x1, double y, int n, double amplitude) {
    std::vector<point> out;
    for (int i = 0; i <= n; ++i) {
        double t = static_cast<double>(i) / n;
        out.push_back(
            {x0 + (x1 - x0) * t, y + (i == 0 || i == n ? 0 : amplitude * std::sin(i * 1.7) * std::cos(i * 0.31))});
    }
    return out;
}

// Two boxes of Web Mercator metres around the origin sharing a wiggly border at y = 0.
std::vector<multipolygon> two_neighbours(double size, int n, double amplitude) {
    auto border = wiggle(-size, size, 0, n, amplitude);
    ring north(border.begin(), border.end());  // west to east along the border, then back north
    north.push_back({size, size});
    north.push_back({-size, size});
    ring south(border.rbegin(), border.rend());  // east to west, then back south
    south.push_back({-size, -size});
    south.push_back({size, -size});
    return {multipolygon{polygon{{north}}}, multipolygon{polygon{{south}}}};
}

using edge = std::pair<std::pair<int, int>, std::pair<int, int>>;

TEST(CoverageTopology, SharedBorderIsOneArcAndIdenticalAtEveryZoom) {
    auto features = two_neighbours(50000, 400, 3000);
    coverage_topology topo(features);
    EXPECT_EQ(topo.size(), 2u);
    // The shared border, the northern rest and the southern rest.
    EXPECT_EQ(topo.arc_count(), 3u);
    box everywhere{-1e9, -1e9, 1e9, 1e9};
    for (std::uint32_t z = 0; z <= 16; ++z) {
        std::vector<std::map<edge, int>> edges(2);
        std::vector<pixel> scratch;
        for (std::size_t f = 0; f < 2; ++f)
            topo.for_each_ring(f, z, everywhere, scratch, [&](std::uint32_t, std::uint32_t, std::span<const pixel> r) {
                for (std::size_t i = 0; i < r.size(); ++i) {
                    const pixel& a = r[i];
                    const pixel& b = r[(i + 1) % r.size()];
                    ++edges[f][{{a.x, a.y}, {b.x, b.y}}];
                }
            });
        // Each polygon has three edges of its own (to its outer corners and between them);
        // every other edge is an edge of its neighbour, reversed: no gap, no sliver.
        for (std::size_t f = 0; f < 2; ++f) {
            std::size_t shared = 0;
            for (const auto& [e, count] : edges[f]) shared += edges[1 - f].count({e.second, e.first});
            EXPECT_EQ(shared + 3, edges[f].size()) << "zoom " << z << ", polygon " << f;
        }
    }
}

TEST(CoverageTopology, IslandAndItsHoleShareTheirRing) {
    ring outer{{-1000, -1000}, {1000, -1000}, {1000, 1000}, {-1000, 1000}};
    ring hole{{-100, -100}, {-100, 100}, {100, 100}, {100, -100}};
    ring island{{100, 100}, {-100, 100}, {-100, -100}, {100, -100}};  // another start, other direction
    std::vector<multipolygon> features = {{polygon{{outer, hole}}}, {polygon{{island}}}};
    coverage_topology topo(features);
    EXPECT_EQ(topo.arc_count(), 2u);  // the outer ring and the island's ring, stored once
}

// Distance from p to segment ab.
double distance(const point& p, const point& a, const point& b) {
    double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0;
    return std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
}
double distance_to_ring(const point& p, const std::vector<point>& r) {
    double best = 1e300;
    for (std::size_t i = 0; i < r.size(); ++i) best = std::min(best, distance(p, r[i], r[(i + 1) % r.size()]));
    return best;
}

TEST(CoverageTopology, SimplifiedRingsStayWithinOneTileUnitOfTheSource) {
    auto features = two_neighbours(40000, 2000, 2500);
    coverage_topology topo(features);
    box everywhere{-1e9, -1e9, 1e9, 1e9};
    for (std::uint32_t z : {4u, 8u, 11u, 14u}) {
        double size = pixel_size(z);
        std::vector<pixel> scratch;
        std::vector<point> drawn;
        topo.for_each_ring(0, z, everywhere, scratch, [&](std::uint32_t, std::uint32_t, std::span<const pixel> r) {
            drawn.clear();
            for (const pixel& p : r) drawn.push_back({p.x * size - half_world, half_world - p.y * size});
        });
        const ring& source = features[0][0].rings[0];
        double worst = 0;
        for (const point& p : source) worst = std::max(worst, distance_to_ring(p, drawn));
        for (const point& p : drawn) worst = std::max(worst, distance_to_ring(p, source));
        EXPECT_LE(worst / size, 1.0) << "zoom " << z;
        EXPECT_LT(drawn.size(), source.size() + 4) << "zoom " << z;
    }
}

// Found by fuzz_mvt (FUZZING.md): a NaN vertex made the junction lookup miss and crash.
TEST(CoverageTopology, RingsWithNonFiniteCoordinatesAreDropped) {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    layer_source src;
    src.name = "fuzz";
    src.keys = {"code"};
    src.ids = {1, 2, 3};
    src.properties = {{std::string("a")}, {std::string("b")}, {std::string("c")}};
    src.polygons = {{polygon{{ring{{0, 0}, {1000, 0}, {nan, 500}, {0, 1000}}}}},
                    {polygon{{ring{{0, 0}, {inf, 0}, {1000, 1000}}}}},
                    {polygon{{ring{{-5e6, -5e6}, {5e6, -5e6}, {5e6, 5e6}, {-5e6, 5e6}}}}}};
    vector_layer layer(std::move(src));
    const vector_layer* layers[] = {&layer};
    auto tile = render_tile(layers, {0, 0, 0});
    EXPECT_EQ(tile.features, 1u);  // only the finite square
    // Coordinates far beyond the world (fuzz_mvt: int32 overflow in clipping) render nothing
    // and break nothing, for polygons and points, at every zoom.
    layer_source far;
    far.name = "far";
    far.keys = {"code"};
    far.ids = {1, 2};
    far.properties = {{std::string("a")}, {std::string("b")}};
    far.polygons = {{polygon{{ring{{-3e38, 0}, {3e38, 0}, {0, 1e6}}}}},
                    {polygon{{ring{{-1e7, -1e7}, {1e7, -1e7}, {1e7, 1e7}}}}}};
    vector_layer far_layer(std::move(far));
    layer_source pts;
    pts.name = "pts";
    pts.keys = {"code"};
    pts.ids = {1, 2};
    pts.properties = {{std::string("a")}, {std::string("b")}};
    pts.points = {{3e38, -3e38}, {nan, 0}};
    vector_layer point_layer(std::move(pts));
    for (std::uint32_t z : {0u, 8u, 16u}) {
        const vector_layer* both[] = {&far_layer, &point_layer};
        auto r = render_tile(both, {z, (1u << z) / 2, (1u << z) / 2});
        EXPECT_LE(r.features, 1u) << z;  // at most the finite triangle
    }
}

TEST(Clip, ASharedEdgeIsCutAtTheSamePointFromBothSides) {
    std::vector<pixel> left{{-500, -500}, {37, 5000}, {-500, 5000}};
    std::vector<pixel> right{{37, 5000}, {-500, -500}, {3000, -500}};
    std::vector<pixel> a, b, scratch;
    clip_ring(left, -64, 4160, a, scratch);
    clip_ring(right, -64, 4160, b, scratch);
    // Both rings cross y = 4160 and x = -64 on the shared edge: the cut points coincide.
    std::size_t common = 0;
    for (const auto& p : a)
        for (const auto& q : b) common += p == q ? 1 : 0;
    EXPECT_GE(common, 2u);
    for (const auto& p : a) {
        EXPECT_GE(p.x, -64);
        EXPECT_LE(p.y, 4160);
    }
}

class MvtWithGdal : public ::testing::Test {
protected:
    static void SetUpTestSuite() { GDALAllRegister(); }
};

TEST_F(MvtWithGdal, PolygonsWithHolesPointsIdsAndPropertiesReadBack) {
    tile_id t{10, 300, 500};
    mercator_bounds b = bounds(t);
    double cx = (b.minx + b.maxx) / 2, cy = (b.miny + b.maxy) / 2, q = (b.maxx - b.minx) / 4;
    layer_source units;
    units.name = "circuits";
    units.keys = {"code", "name", "population"};
    units.ids = {7, 8};
    units.properties = {{std::string("01D01C01"), std::string("Ñuñoa Centro"), 1234.5},
                        {std::string("01D01C02"), std::string("Otro"), std::monostate{}}};
    ring outer{{cx - q, cy - q}, {cx + q, cy - q}, {cx + q, cy + q}, {cx - q, cy + q}};
    ring hole{{cx - q / 2, cy - q / 2}, {cx - q / 2, cy + q / 2}, {cx + q / 2, cy + q / 2}, {cx + q / 2, cy - q / 2}};
    ring far{{cx + 3 * q, cy + 3 * q}, {cx + 3 * q, cy + 5 * q}, {cx + 5 * q, cy + 5 * q}};  // outside the tile
    units.polygons = {multipolygon{polygon{{outer, hole}}}, multipolygon{polygon{{far}}}};
    vector_layer polygons(std::move(units));
    layer_source sites;
    sites.name = "establishments";
    sites.keys = {"id", "sector"};
    sites.ids = {42};
    sites.properties = {{std::string("E1"), std::string("health")}};
    sites.points = {{cx, cy}};
    vector_layer points(std::move(sites));
    const vector_layer* layers[] = {&polygons, &points};
    rendered_tile r = render_tile(layers, t);
    ASSERT_EQ(r.features, 2u);
    auto ds = test::open_mvt(r.data, t, "mvt_test");
    ASSERT_TRUE(ds);
    OGRLayer* l = ds->GetLayerByName("circuits");
    ASSERT_NE(l, nullptr);
    ASSERT_EQ(l->GetFeatureCount(), 1);
    OGRFeatureUniquePtr f(l->GetNextFeature());
    EXPECT_EQ(f->GetFieldAsInteger64("mvt_id"), 7);  // GDAL exposes the MVT id as mvt_id
    EXPECT_STREQ(f->GetFieldAsString("code"), "01D01C01");
    EXPECT_STREQ(f->GetFieldAsString("name"), "Ñuñoa Centro");
    EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("population"), 1234.5);
    // GDAL assembles rings by their winding: one polygon with one hole, of the right area.
    const OGRGeometry* g = f->GetGeometryRef();
    const OGRPolygon* poly = wkbFlatten(g->getGeometryType()) == wkbPolygon ? g->toPolygon()
                             : g->toMultiPolygon()->getNumGeometries() == 1 ? g->toMultiPolygon()->getGeometryRef(0)
                                                                            : nullptr;
    ASSERT_NE(poly, nullptr) << g->exportToWkt();
    EXPECT_EQ(poly->getNumInteriorRings(), 1);
    double expected = (2 * q) * (2 * q) - q * q;
    EXPECT_NEAR(poly->get_Area(), expected, expected * 0.002);
    OGRLayer* e = ds->GetLayerByName("establishments");
    ASSERT_NE(e, nullptr);
    OGRFeatureUniquePtr site(e->GetNextFeature());
    EXPECT_EQ(site->GetFieldAsInteger64("mvt_id"), 42);
    EXPECT_STREQ(site->GetFieldAsString("sector"), "health");
    VSIRmdirRecursive("/vsimem/mvt_test");
}

TEST(TileSize, TilesOverTheLimitDropSmallPartsUntilTheyFit) {
    // 10,000 small squares in one tile: too many bytes for a 100 KB limit.
    tile_id t{12, 1000, 2000};
    mercator_bounds b = bounds(t);
    double cell = (b.maxx - b.minx) / 100;
    layer_source s;
    s.name = "many";
    s.keys = {"code"};
    for (int i = 0; i < 100; ++i)
        for (int j = 0; j < 100; ++j) {
            double x = b.minx + i * cell, y = b.miny + j * cell,
                   w = cell * (0.2 + 0.7 * ((i * 7 + j * 13) % 10) / 10.0);
            s.polygons.push_back(multipolygon{polygon{{ring{{x, y}, {x + w, y}, {x + w, y + w}, {x, y + w}}}}});
            s.ids.push_back(static_cast<std::uint64_t>(i * 100 + j));
            s.properties.push_back({std::string("c") + std::to_string(i * 100 + j)});
        }
    vector_layer layer(std::move(s));
    const vector_layer* layers[] = {&layer};
    render_rules rules;
    rendered_tile normal = render_tile(layers, t, rules);
    EXPECT_EQ(normal.reduction, 0);
    EXPECT_GT(normal.data.size(), 100u * 1024);
    rules.max_tile_bytes = 100 * 1024;
    rendered_tile limited = render_tile(layers, t, rules);
    EXPECT_GT(limited.reduction, 0);
    EXPECT_LE(limited.data.size(), rules.max_tile_bytes);
    EXPECT_GT(limited.features, 0u);
}

}  // namespace
}  // namespace microplan::tiles
