// The one-territory and split-grouping rules (territory/contiguity.hpp) on synthetic units in
// UTM 17S: a zone in two pieces, an island part, a legal exclave, a province split across
// zones with and without a declared exception.
#include "microplan/geo/territory/contiguity.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/territory/validate.hpp"

using namespace microplan::geo;

namespace {

// A rectangle from (x0, y0) to (x1, y1) km from an origin near Quito, as a WKT polygon body.
std::string rect_body(double x0, double y0, double x1, double y1) {
    auto at = [](double x, double y) {
        return std::to_string(770000 + x * 1000) + " " + std::to_string(9970000 + y * 1000);
    };
    return "((" + at(x0, y0) + "," + at(x1, y0) + "," + at(x1, y1) + "," + at(x0, y1) + "," + at(x0, y0) + "))";
}
std::string rect(double x0, double y0, double x1, double y1) { return "POLYGON" + rect_body(x0, y0, x1, y1); }
std::string two_rects(const std::array<double, 4>& a, const std::array<double, 4>& b) {
    return "MULTIPOLYGON(" + rect_body(a[0], a[1], a[2], a[3]) + "," + rect_body(b[0], b[1], b[2], b[3]) + ")";
}

unit make_unit(level l, const std::string& code, const std::string& utm_wkt) {
    unit u;
    u.lvl = l;
    u.code = code;
    u.projected = geos::from_wkt(utm_wkt);
    u.geometry = proj::transformer("EPSG:32717", "EPSG:4326").forward(u.projected.get());
    u.area_km2 = geos::area(u.projected.get()) / 1e6;
    return u;
}

std::vector<finding> with_rule(const findings& r, const std::string& rule) {
    std::vector<finding> out;
    for (const auto& f : r.items)
        if (f.rule == rule) out.push_back(f);
    return out;
}

validation_options options() {
    validation_options o;
    o.threads = 2;
    return o;
}

}  // namespace

TEST(Contiguity, AZoneInTwoPiecesIsAnError) {
    // Z1 west and east of Z2, on one landmass.
    unit_layer zones{level::zone, {}};
    zones.units.push_back(make_unit(level::zone, "Z1", two_rects({0, 0, 10, 10}, {20, 0, 30, 10})));
    zones.units.push_back(make_unit(level::zone, "Z2", rect(10, 0, 20, 10)));
    findings f = check_one_territory(zones, {}, options());
    auto split = with_rule(f, "territory.not_contiguous");
    ASSERT_EQ(split.size(), 1u);
    EXPECT_EQ(split[0].code, "Z1");
    EXPECT_EQ(split[0].sev, severity::error);
    EXPECT_NE(split[0].message.find("2 separate pieces"), std::string::npos) << split[0].message;
    ASSERT_TRUE(split[0].lon && split[0].lat);  // placed on the smaller piece
    // The same through validate().
    validation_report r = validate({&zones}, options());
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(with_rule(r.report, "territory.not_contiguous").size(), 1u);
}

TEST(Contiguity, AnIslandPartIsNotAnError) {
    // Z1's second part touches no other unit: an island, whatever its distance.
    unit_layer zones{level::zone, {}};
    zones.units.push_back(make_unit(level::zone, "Z1", two_rects({0, 0, 10, 10}, {0, 30, 5, 35})));
    zones.units.push_back(make_unit(level::zone, "Z2", rect(10, 0, 20, 10)));
    EXPECT_TRUE(check_one_territory(zones, {}, options()).items.empty());
    // An island shared by two zones is a landmass of its own: each zone's part on it is one piece.
    zones.units[1] = make_unit(level::zone, "Z2", two_rects({10, 0, 20, 10}, {5, 30, 9, 35}));
    EXPECT_TRUE(check_one_territory(zones, {}, options()).items.empty());
    EXPECT_TRUE(validate({&zones}, options()).ok());
}

TEST(Contiguity, TouchingAtAGapNarrowerThanTheToleranceIsOneTerritory) {
    unit_layer zones{level::zone, {}};
    zones.units.push_back(make_unit(level::zone, "Z1", two_rects({0, 0, 10, 10}, {10.0005, 0, 20, 10})));
    zones.units.push_back(make_unit(level::zone, "Z2", rect(0, 10, 20, 20)));
    EXPECT_TRUE(check_one_territory(zones, {}, options()).items.empty());  // 0.5 m apart, touch_m = 1
}

TEST(Contiguity, ALegalExclaveJoinsThePiecesOfTheZoneThatHoldsIt) {
    // Canton 0101 is itself in two pieces (an exclave, like Tenguel of Guayaquil): zone Z1,
    // which follows it, is one territory; the canton is noted as an exclave.
    unit_layer zones{level::zone, {}}, cantons{level::canton, {}};
    zones.units.push_back(make_unit(level::zone, "Z1", two_rects({0, 0, 10, 10}, {20, 0, 30, 10})));
    zones.units.push_back(make_unit(level::zone, "Z2", rect(10, 0, 20, 10)));
    cantons.units.push_back(make_unit(level::canton, "0101", two_rects({0, 0, 10, 10}, {20, 0, 30, 10})));
    cantons.units.push_back(make_unit(level::canton, "0201", rect(10, 0, 20, 10)));
    const unit_layer* admin[] = {&cantons};
    EXPECT_TRUE(check_one_territory(zones, admin, options()).items.empty());
    findings c = check_one_territory(cantons, admin, options());
    auto exclave = with_rule(c, "territory.exclave");
    ASSERT_EQ(exclave.size(), 1u);
    EXPECT_EQ(exclave[0].code, "0101");
    EXPECT_EQ(exclave[0].sev, severity::info);
    validation_report r = validate({&zones, &cantons}, options());
    EXPECT_EQ(with_rule(r.report, "territory.not_contiguous").size(), 0u);
    EXPECT_EQ(with_rule(r.report, "territory.exclave").size(), 1u);
}

TEST(Contiguity, AProvinceSplitAcrossZonesWarnsUnlessTheLawSplitsIt) {
    unit_layer zones{level::zone, {}}, provinces{level::province, {}};
    zones.units.push_back(make_unit(level::zone, "Z1", rect(0, 0, 10, 10)));
    zones.units.push_back(make_unit(level::zone, "Z2", rect(10, 0, 30, 10)));
    provinces.units.push_back(make_unit(level::province, "01", rect(0, 0, 20, 10)));   // half in each
    provinces.units.push_back(make_unit(level::province, "02", rect(20, 0, 30, 10)));  // whole in Z2
    validation_options o = options();
    auto split = with_rule(check_split_across_zones(provinces, zones, o), "hierarchy.split_across_zones");
    ASSERT_EQ(split.size(), 1u);
    EXPECT_EQ(split[0].code, "01");
    EXPECT_EQ(split[0].sev, severity::warning);
    EXPECT_NE(split[0].message.find("Z1 (50.0%)"), std::string::npos) << split[0].message;
    EXPECT_EQ(with_rule(validate({&zones, &provinces}, o).report, "hierarchy.split_across_zones").size(), 1u);
    o.split_allowed = {"01"};  // a declared legal exception
    EXPECT_TRUE(check_split_across_zones(provinces, zones, o).items.empty());
    EXPECT_EQ(with_rule(validate({&zones, &provinces}, o).report, "hierarchy.split_across_zones").size(), 0u);
}

TEST(Contiguity, PartsFacingEachOtherAcrossWaterAreOneTerritory) {
    // A 500 m river between Z1's two parts, both touching Z2 to the north: one territory.
    unit_layer zones{level::zone, {}};
    zones.units.push_back(make_unit(level::zone, "Z1", two_rects({0, 0, 10, 10}, {10.5, 0, 20, 10})));
    zones.units.push_back(make_unit(level::zone, "Z2", rect(0, 10, 20, 20)));
    EXPECT_TRUE(check_one_territory(zones, {}, options()).items.empty());
    // A strip of Z3 in the river instead: the line between the parts crosses it.
    zones.units.push_back(make_unit(level::zone, "Z3", rect(10, 0, 10.5, 10)));
    EXPECT_EQ(with_rule(check_one_territory(zones, {}, options()), "territory.not_contiguous").size(), 1u);
}

TEST(Contiguity, AProvinceTheLawSplitsJoinsWhatIsLeftOfItInAZone) {
    // Province 17 holds Z9 in its middle; Z2 holds what is left of it on both sides.
    unit_layer zones{level::zone, {}}, provinces{level::province, {}};
    zones.units.push_back(make_unit(level::zone, "Z2", two_rects({0, 0, 10, 10}, {20, 0, 30, 10})));
    zones.units.push_back(make_unit(level::zone, "Z9", rect(10, 0, 20, 10)));
    provinces.units.push_back(make_unit(level::province, "17", rect(0, 0, 30, 10)));
    const unit_layer* admin[] = {&provinces};
    validation_options o = options();
    EXPECT_EQ(with_rule(check_one_territory(zones, admin, o), "territory.not_contiguous").size(), 1u);
    o.split_allowed = {"17"};
    EXPECT_TRUE(check_one_territory(zones, admin, o).items.empty());
}
