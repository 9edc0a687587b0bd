#include "microplan/geo/territory/validate.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/core/proj.hpp"

using namespace microplan::geo;

namespace {

// A unit from WKT in UTM 17S metres (near Quito), with its WGS 84 copy.
unit make_unit(level l, const std::string& code, const std::string& parent, const std::string& utm_wkt) {
    unit u;
    u.lvl = l;
    u.code = code;
    u.parent_code = parent;
    u.projected = geos::from_wkt(utm_wkt);
    u.geometry = proj::transformer("EPSG:32717", "EPSG:4326").forward(u.projected.get());
    u.area_km2 = geos::area(u.projected.get()) / 1e6;
    return u;
}

// A rectangle from (x0, y0) to (x1, y1) km, measured from an origin near Quito (UTM 17S).
std::string rect(double x0, double y0, double x1, double y1) {
    auto at = [](double x, double y) {
        return std::to_string(770000 + x * 1000) + " " + std::to_string(9970000 + y * 1000);
    };
    return "POLYGON((" + at(x0, y0) + "," + at(x1, y0) + "," + at(x1, y1) + "," + at(x0, y1) + "," + at(x0, y0) + "))";
}

// A square of `side` km whose lower-left corner is (x, y) km from the origin.
std::string square(double x, double y, double side) { return rect(x, y, x + side, y + side); }

std::vector<finding> with_rule(const validation_report& r, const std::string& rule) {
    std::vector<finding> out;
    for (const auto& f : r.report.items)
        if (f.rule == rule) out.push_back(f);
    return out;
}

struct two_level {
    unit_layer districts{level::district, {}};
    unit_layer circuits{level::circuit, {}};
    validation_report run() { return validate({&districts, &circuits}); }
};

}  // namespace

TEST(Validate, PerfectNestingIsClean) {
    two_level t;
    t.districts.units.push_back(make_unit(level::district, "17D06", "", square(0, 0, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C01", "", rect(0, 0, 5, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C02", "", rect(5, 0, 10, 10)));
    auto r = t.run();
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.report.items.empty()) << r.to_text();
}

TEST(Validate, CircuitCrossingTwoDistricts) {
    two_level t;
    t.districts.units.push_back(make_unit(level::district, "17D05", "", square(0, 0, 10)));
    t.districts.units.push_back(make_unit(level::district, "17D06", "", square(10, 0, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D05C01", "", square(0, 0, 10)));
    // Declared in 17D06 but lies wholly in 17D05.
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C01", "", rect(6, 0, 10, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C02", "", rect(10, 0, 20, 10)));
    auto r = t.run();
    auto crossing = with_rule(r, "hierarchy.crosses_parent");
    ASSERT_EQ(crossing.size(), 1u) << r.to_text();
    EXPECT_EQ(crossing[0].code, "17D06C01");
    EXPECT_EQ(crossing[0].sev, severity::error);
    EXPECT_NE(crossing[0].message.find("0.0% in its district 17D06"), std::string::npos) << crossing[0].message;
    EXPECT_NE(crossing[0].message.find("100.0% in 17D05"), std::string::npos) << crossing[0].message;
    EXPECT_FALSE(r.ok());
    // 17D06 stays covered by its other circuit: no gap to report.
    EXPECT_TRUE(with_rule(r, "topology.gap").empty()) << r.to_text();
}

TEST(Validate, ChildWhoseParentDoesNotExist) {
    two_level t;
    t.districts.units.push_back(make_unit(level::district, "17D06", "", square(0, 0, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C01", "", square(0, 0, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D99C01", "", square(20, 0, 10)));
    auto r = t.run();
    auto missing = with_rule(r, "hierarchy.parent_missing");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].code, "17D99C01");
    EXPECT_NE(missing[0].message.find("17D99 does not exist"), std::string::npos);
}

TEST(Validate, ParentFieldContradictingTheCode) {
    two_level t;
    t.districts.units.push_back(make_unit(level::district, "17D06", "", square(0, 0, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C01", "17D05", square(0, 0, 10)));
    EXPECT_EQ(with_rule(t.run(), "hierarchy.parent_mismatch").size(), 1u);
}

TEST(Validate, OverlapsAndGapsBetweenSiblingsWithLocationAndArea) {
    two_level t;
    t.districts.units.push_back(make_unit(level::district, "17D06", "", square(0, 0, 10)));
    // Two circuits overlapping by 1 km x 10 km, leaving a 2 km x 10 km gap on the right.
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C01", "", rect(0, 0, 5, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C02", "", rect(4, 0, 8, 10)));
    auto r = t.run();
    auto overlaps = with_rule(r, "topology.overlap");
    ASSERT_EQ(overlaps.size(), 1u) << r.to_text();
    EXPECT_NEAR(*overlaps[0].area_km2, 10.0, 1e-6);
    ASSERT_TRUE(overlaps[0].lon.has_value());
    EXPECT_NEAR(*overlaps[0].lon, -78.54, 0.02);
    auto gaps = with_rule(r, "topology.gap");
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_EQ(gaps[0].code, "17D06");
    EXPECT_NEAR(*gaps[0].area_km2, 20.0, 1e-6);
}

TEST(Validate, SliversBelowTheToleranceAreIgnored) {
    two_level t;
    t.districts.units.push_back(make_unit(level::district, "17D06", "", square(0, 0, 10)));
    // A 10 m strip is missing: 0.1 km², under a 0.5 km² tolerance.
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C01", "", rect(0, 0, 9.99, 10)));
    validation_options o;
    o.sliver_km2 = 0.5;
    EXPECT_TRUE(validate({&t.districts, &t.circuits}, o).report.items.empty());
    o.sliver_km2 = 0.05;
    EXPECT_EQ(with_rule(validate({&t.districts, &t.circuits}, o), "topology.gap").size(), 1u);
}

TEST(Validate, ParentWithoutChildrenAndMalformedCodes) {
    two_level t;
    t.districts.units.push_back(make_unit(level::district, "17D06", "", square(0, 0, 10)));
    t.districts.units.push_back(make_unit(level::district, "17D07", "", square(10, 0, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17D06C01", "", square(0, 0, 10)));
    t.circuits.units.push_back(make_unit(level::circuit, "17-D06-C2", "17D06", square(0, 0, 1)));
    auto r = t.run();
    EXPECT_EQ(with_rule(r, "hierarchy.no_children").size(), 1u);
    EXPECT_EQ(with_rule(r, "code.malformed").size(), 1u);
}

TEST(Validate, HolesBetweenTopLevelUnits) {
    unit_layer zones{level::zone, {}};
    // A ring of four squares around an empty centre square.
    zones.units.push_back(make_unit(level::zone, "Z1", "", rect(0, 0, 30, 10)));
    zones.units.push_back(make_unit(level::zone, "Z2", "", rect(0, 20, 30, 30)));
    zones.units.push_back(make_unit(level::zone, "Z3", "", rect(0, 10, 10, 20)));
    zones.units.push_back(make_unit(level::zone, "Z4", "", rect(20, 10, 30, 20)));
    auto r = validate({&zones});
    auto gaps = with_rule(r, "topology.gap");
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_NEAR(*gaps[0].area_km2, 100.0, 1e-6);
}
