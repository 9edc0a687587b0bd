// Designing units from finer units: adjacency, balance, contiguity, nesting, raster weights,
// fixed and allowed outputs, targets, determinism.
#include "microplan/geo/design/partition.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "../../support.hpp"
#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/usecases/design.hpp"

using namespace microplan::geo;
using namespace microplan::geo::design;
using namespace microplan::test;

namespace {

// A unit square in lon/lat, `side` degrees, lower-left at (x, y), near Quito.
unit square(const std::string& code, double x, double y, double side) {
    unit u;
    u.lvl = level::parish;
    u.code = code;
    u.name = code;
    char wkt[256];
    std::snprintf(wkt, sizeof wkt, "MULTIPOLYGON(((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f)))", x, y,
                  x + side, y, x + side, y + side, x, y + side, x, y);
    u.geometry = geos::from_wkt(wkt);
    proj::transformer t("EPSG:4326", "EPSG:32717");
    u.projected = t.forward(u.geometry.get());
    u.area_km2 = geos::area(u.projected.get()) / 1e6;
    u.perimeter_km = geos::length(u.projected.get()) / 1e3;
    return u;
}

// n x n parishes of 0.01° (~1.1 km), all in parent "1701".
unit_layer grid_layer(int n) {
    unit_layer l;
    l.lvl = level::parish;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
            char code[16];
            std::snprintf(code, sizeof code, "17%04d", j * n + i);
            l.units.push_back(square(code, -78.6 + 0.01 * i, -0.3 + 0.01 * j, 0.01));
        }
    return l;
}

double area_of(const GEOSGeometry* g) {
    proj::transformer t("EPSG:4326", "EPSG:32717");
    return geos::area(t.forward(g).get());
}

}  // namespace

TEST(Design, AdjacencyIsQueen) {
    unit_layer l = grid_layer(3);
    auto adj = atom_adjacency(l, 2);
    EXPECT_EQ(adj[4].size(), 8u);  // the centre touches all (corners too)
    EXPECT_EQ(adj[0].size(), 3u);
    EXPECT_EQ(adj[0], (std::vector<std::uint32_t>{1, 3, 4}));
}

TEST(Design, WholeUnitsMakeBalancedContiguousUnitsDeterministically) {
    unit_layer l = grid_layer(10);
    std::vector<double> people(l.units.size(), 1000);
    std::vector<std::string> parent(l.units.size(), "1701");
    design_options o;
    o.target = 10000;
    o.tolerance = 0.2;
    o.threads = 2;
    design_result a = design_units(l, people, parent, {}, o);
    ASSERT_EQ(a.units.units.size(), 10u);
    EXPECT_EQ(a.split_units, 0u);  // 1,000-people units need no split
    double total = 0, area = 0;
    for (std::size_t i = 0; i < a.report.size(); ++i) {
        total += a.report[i].population;
        area += area_of(a.units.units[i].geometry.get());
        EXPECT_EQ(a.report[i].parts, 1) << a.report[i].code << " is not contiguous";
        EXPECT_LE(std::abs(a.report[i].deviation), 0.2) << a.report[i].code;
        EXPECT_GT(a.report[i].polsby_popper, 0.2) << a.report[i].code;  // a 10x1 strip would be 0.26 / ~0.14
        EXPECT_EQ(a.report[i].code.substr(0, 5), "1701C");
        EXPECT_EQ(a.units.units[i].parent_code, "1701");
    }
    EXPECT_DOUBLE_EQ(total, 100000);
    double whole = 0;
    for (const auto& u : l.units) whole += area_of(u.geometry.get());
    EXPECT_NEAR(area, whole, whole * 1e-9);  // a partition: no gap, no overlap
    // The same seed gives the same design; another seed another one.
    design_result b = design_units(l, people, parent, {}, o);
    for (std::size_t i = 0; i < a.units.units.size(); ++i) {
        EXPECT_EQ(a.report[i].population, b.report[i].population);
        EXPECT_EQ(geos::to_wkt(a.units.units[i].geometry.get()), geos::to_wkt(b.units.units[i].geometry.get()));
    }
    o.threads = 1;  // threads do not change the design
    design_result one = design_units(l, people, parent, {}, o);
    for (std::size_t i = 0; i < a.units.units.size(); ++i)
        EXPECT_EQ(geos::to_wkt(a.units.units[i].geometry.get()), geos::to_wkt(one.units.units[i].geometry.get()));
    o.seed = 7;
    design_result c = design_units(l, people, parent, {}, o);
    bool differs = false;
    for (std::size_t i = 0; i < a.units.units.size(); ++i)
        differs |= geos::to_wkt(a.units.units[i].geometry.get()) != geos::to_wkt(c.units.units[i].geometry.get());
    EXPECT_TRUE(differs);
}

TEST(Design, OneUnitIsSplitIntoBalancedPartsThatNestInIt) {
    unit_layer l;
    l.lvl = level::parish;
    l.units.push_back(square("170150", -78.6, -0.3, 0.1));  // ~11 x 11 km, no raster: split by area
    std::vector<double> people{50000};
    std::vector<std::string> parent{"1701"};
    design_options o;
    o.target = 10000;
    o.threads = 2;
    design_result r = design_units(l, people, parent, {}, o);
    ASSERT_EQ(r.units.units.size(), 5u);
    EXPECT_EQ(r.split_units, 1u);
    bool uniform_reported = false;
    for (const auto& f : r.problems.items) uniform_reported |= f.rule == "design.split_without_raster";
    EXPECT_TRUE(uniform_reported);
    double area = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_NEAR(r.report[i].population, 10000, 500) << r.report[i].code;
        EXPECT_EQ(r.report[i].parts, 1);
        EXPECT_EQ(r.report[i].split_units, std::vector<std::string>{"170150"});
        const GEOSGeometry* g = r.units.units[i].geometry.get();
        EXPECT_LT(area_of(geos::difference(g, l.units[0].geometry.get()).get()), 1.0);  // nests (m²)
        area += area_of(g);
    }
    EXPECT_NEAR(area, area_of(l.units[0].geometry.get()), area * 1e-5);
}

TEST(Design, TheRasterWeightsTheSplit) {
    // A raster of 0.01° cells over the unit: the west half holds 9 people per cell for 1 in the east.
    const std::string path = "/vsimem/design_weights.tif";
    {
        gdal::ensure_registered();
        GDALDatasetUniquePtr ds(
            GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), 10, 10, 1, GDT_Float32, nullptr));
        double gt[6] = {-78.6, 0.01, 0, -0.2, 0, -0.01};
        ds->SetGeoTransform(gt);
        OGRSpatialReference srs;
        srs.importFromEPSG(4326);
        ds->SetSpatialRef(&srs);
        std::vector<float> v(100);
        for (int r = 0; r < 10; ++r)
            for (int c = 0; c < 10; ++c) v[static_cast<std::size_t>(r * 10 + c)] = c < 5 ? 9.0f : 1.0f;
        ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 10, 10, v.data(), 10, 10, GDT_Float32, 0, 0), CE_None);
    }
    unit_layer l;
    l.lvl = level::parish;
    l.units.push_back(square("170150", -78.6, -0.3, 0.1));
    std::vector<double> people{40000};
    std::vector<std::string> parent{"1701"};
    design_options o;
    o.target = 10000;
    o.threads = 2;
    weight_rasters w = usecases::read_weight_rasters({path}, o.analysis_crs);
    design_result r = design_units(l, people, parent, w, o);
    VSIUnlink(path.c_str());
    ASSERT_EQ(r.units.units.size(), 4u);
    // Equal people, so the units in the dense west are about a ninth of the size of the east's.
    double west = 0, east = 0;
    int west_units = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NEAR(r.report[i].population, 10000, 800) << r.report[i].code;
        geos::envelope e = geos::envelope_of(r.units.units[i].geometry.get());
        double a = r.report[i].area_km2;
        if ((e.minx + e.maxx) / 2 < -78.55)
            west += a, ++west_units;
        else
            east += a;
    }
    ASSERT_GT(west_units, 0);
    ASSERT_LT(west_units, 4);
    EXPECT_LT(west / west_units, 0.5 * east / (4 - west_units));
}

TEST(Design, FixedAndAllowedOutputsAndWeightedTargets) {
    unit_layer l = grid_layer(4);
    std::vector<double> people(16, 100);
    std::vector<int> split(16, 0);
    piece_graph g = piece_graph::build(l, people, split, {}, "EPSG:32717", 1);
    ASSERT_EQ(g.pieces().size(), 16u);
    region_problem p;
    for (std::uint32_t i = 0; i < 16; ++i) p.pieces.push_back(i);
    // Column 0 belongs to output 0 only; column 3 to output 2 only; the rest is shared by 1 and 2.
    for (std::uint32_t i = 0; i < 16; ++i) {
        int col = static_cast<int>(i % 4);
        p.allowed.emplace_back(i, col == 0   ? std::vector<int>{0}
                                  : col == 3 ? std::vector<int>{2}
                                             : std::vector<int>{1, 2});
    }
    // Output 0 keeps its 400; 1 and 2 share the 800 of the middle columns 1:3, 2 keeping its 400 too.
    std::vector<bool> shaped = balanced_targets(g, p, 3, [](std::uint32_t, int k) { return k == 1 ? 1.0 : 3.0; });
    EXPECT_EQ(shaped, (std::vector<bool>{false, true, true}));
    EXPECT_DOUBLE_EQ(p.targets[0], 400);
    EXPECT_DOUBLE_EQ(p.targets[1], 200);
    EXPECT_DOUBLE_EQ(p.targets[2], 400 + 600);
    region_result weighted = grow_region(g, p);
    EXPECT_DOUBLE_EQ(weighted.population[1], 200);
    // Equal weights: 400 each from the middle.
    balanced_targets(g, p, 3, [](std::uint32_t, int) { return 1.0; });
    EXPECT_DOUBLE_EQ(p.targets[1], 400);
    EXPECT_DOUBLE_EQ(p.targets[2], 800);
    region_result r = grow_region(g, p);
    for (std::uint32_t i = 0; i < 16; ++i) {
        int col = static_cast<int>(i % 4);
        int expected = col == 0 ? 0 : col == 3 ? 2 : -1;
        if (expected >= 0) {
            EXPECT_EQ(r.output_of[i], expected) << i;
        } else {
            EXPECT_NE(r.output_of[i], 0) << i;
        }
    }
    EXPECT_DOUBLE_EQ(r.population[1], 400);
    EXPECT_DOUBLE_EQ(r.population[2], 800);
    EXPECT_EQ(r.unreachable, 0u);
}

TEST(Design, AnOutputWhoseFixedUnitLiesApartStillGetsItsShareOfTheSplitOne) {
    // 16 shared units (100 people each) and, far from them, one unit fixed to output 0 (a
    // district's rural parish away from the city it also shares).
    unit_layer l = grid_layer(4);
    l.units.push_back(square("179999", -78.0, -0.3, 0.01));
    std::vector<double> people(17, 100);
    std::vector<int> split(17, 0);
    piece_graph g = piece_graph::build(l, people, split, {}, "EPSG:32717", 1);
    region_problem p;
    for (std::uint32_t i = 0; i < 17; ++i) {
        p.pieces.push_back(i);
        p.allowed.emplace_back(i, i == 16 ? std::vector<int>{0} : std::vector<int>{0, 1});
    }
    balanced_targets(g, p, 2, [](std::uint32_t, int) { return 1.0; });
    EXPECT_DOUBLE_EQ(p.targets[0], 900);
    EXPECT_DOUBLE_EQ(p.targets[1], 800);
    region_result r = grow_region(g, p);
    EXPECT_DOUBLE_EQ(r.population[0], 900);
    EXPECT_DOUBLE_EQ(r.population[1], 800);
}

// Travel time as a design criterion: a river without a bridge between the third and fourth rows
// of a 6 x 6 grid (crossing it costs 1,000 minutes). Grown along travel time, each of the two
// units keeps to one bank, whatever the seed.
TEST(Design, GrownAlongTravelTimeUnitsKeepToOneBankOfARiverWithoutBridge) {
    unit_layer l = grid_layer(6);
    std::vector<double> people(l.units.size(), 1000);
    std::vector<std::string> parent(l.units.size(), "1701");
    proj::transformer t("EPSG:4326", "EPSG:32717");
    double rx = -78.57, river_y = -0.27;
    ASSERT_TRUE(t.forward(rx, river_y));
    design_options o;
    o.target = 18000;
    o.tolerance = 0.05;
    o.threads = 2;
    o.travel = [river_y](std::pair<double, double> from, std::span<const std::pair<double, double>> to) {
        std::vector<double> m;
        for (auto [x, y] : to) {
            double km = std::hypot(x - from.first, y - from.second) / 1000;
            m.push_back(km / 5 * 60 + ((y - river_y) * (from.second - river_y) < 0 ? 1000 : 0));
        }
        return m;
    };
    for (std::uint64_t seed : {1, 2, 3, 4, 5, 6}) {
        o.seed = seed;
        design_result r = design_units(l, people, parent, {}, o);
        ASSERT_EQ(r.units.units.size(), 2u);
        for (const unit& u : r.units.units) {
            geos::envelope e = geos::envelope_of(u.geometry.get());
            EXPECT_TRUE(e.maxy <= -0.27 + 1e-9 || e.miny >= -0.27 - 1e-9)
                << "seed " << seed << ": " << u.code << " spans " << e.miny << " .. " << e.maxy;
        }
        EXPECT_NEAR(r.report[0].population, 18000, 1e-6) << "seed " << seed;
    }
}
