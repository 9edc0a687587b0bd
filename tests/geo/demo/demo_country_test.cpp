#include "microplan/geo/demo/demo_country.hpp"

#include <gtest/gtest.h>

#include <map>

#include "microplan/geo/territory/validate.hpp"

using namespace microplan::geo;

namespace {
const demo::country& the_country() {
    static const demo::country c = demo::generate_country();
    return c;
}
}  // namespace

TEST(DemoCountry, HasEcuadorsCounts) {
    const auto& c = the_country();
    EXPECT_EQ(c.zones.units.size(), 9u);
    EXPECT_EQ(c.districts.units.size(), 140u);
    EXPECT_EQ(c.circuits.units.size(), 1134u);
}

TEST(DemoCountry, CodesAreEcuadorStyleAndNest) {
    const auto& c = the_country();
    std::map<std::string, std::string> zone_of_district;
    for (const auto& d : c.districts.units) {
        EXPECT_TRUE(code_is_well_formed(level::district, d.code)) << d.code;
        zone_of_district[d.code] = d.parent_code;
    }
    for (const auto& z : c.zones.units) EXPECT_TRUE(code_is_well_formed(level::zone, z.code)) << z.code;
    for (const auto& u : c.circuits.units) {
        EXPECT_TRUE(code_is_well_formed(level::circuit, u.code)) << u.code;
        EXPECT_EQ(u.parent_code, u.code.substr(0, 5));
        EXPECT_TRUE(zone_of_district.count(u.parent_code));
        EXPECT_FALSE(u.name.empty());
    }
}

TEST(DemoCountry, NestsPerfectlyAndTilesWithoutGapsOrOverlaps) {
    const auto& c = the_country();
    validation_options o;
    o.sliver_km2 = 1e-6;  // essentially exact
    auto r = validate({&c.zones, &c.districts, &c.circuits}, o);
    EXPECT_TRUE(r.report.items.empty()) << r.to_text();
    double zones = 0, circuits = 0;
    for (const auto& u : c.zones.units) zones += u.area_km2;
    for (const auto& u : c.circuits.units) circuits += u.area_km2;
    EXPECT_NEAR(zones, circuits, zones * 1e-9);
    EXPECT_GT(zones, 150000);
    EXPECT_LT(zones, 350000);
}

TEST(DemoCountry, ShapesAreIrregularAndCitiesDenser) {
    const auto& c = the_country();
    double smallest = 1e18, largest = 0;
    std::size_t vertices = 0;
    for (const auto& u : c.circuits.units) {
        smallest = std::min(smallest, u.area_km2);
        largest = std::max(largest, u.area_km2);
        vertices +=
            static_cast<std::size_t>(GEOSGetNumCoordinates_r(geos::thread_context().handle(), u.projected.get()));
    }
    // Not boxes: circuits are grown from Voronoi cells, with jagged borders.
    EXPECT_GT(vertices / c.circuits.units.size(), 20u);
    EXPECT_GT(largest / smallest, 10.0) << "cities should hold much smaller circuits";
}

TEST(DemoCountry, SameSeedSameCountryOtherSeedOtherCountry) {
    demo::country again = demo::generate_country();
    const auto& c = the_country();
    for (std::size_t i = 0; i < c.circuits.units.size(); ++i) {
        ASSERT_EQ(again.circuits.units[i].code, c.circuits.units[i].code);
        ASSERT_EQ(geos::to_wkb(again.circuits.units[i].geometry.get()),
                  geos::to_wkb(c.circuits.units[i].geometry.get()));
    }
    demo::country_options o;
    o.seed = 7;
    demo::country other = demo::generate_country(o);
    EXPECT_NE(geos::to_wkb(other.zones.units[0].geometry.get()), geos::to_wkb(c.zones.units[0].geometry.get()));
}
