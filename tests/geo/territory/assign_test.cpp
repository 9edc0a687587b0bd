#include "microplan/geo/territory/assign.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace microplan::geo {
namespace {

// Two districts side by side near Quito, each with one circuit, in zone Z2... as units.
unit make_unit(level l, std::string code, std::string parent, double x0, double y0, double x1, double y1) {
    unit u;
    u.lvl = l;
    u.code = std::move(code);
    u.parent_code = std::move(parent);
    char wkt[256];
    std::snprintf(wkt, sizeof wkt, "MULTIPOLYGON(((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f)))", x0, y0, x1,
                  y0, x1, y1, x0, y1, x0, y0);
    u.geometry = geos::from_wkt(wkt);
    return u;
}

struct fixture {
    unit_layer zones{level::zone, {}}, districts{level::district, {}}, circuits{level::circuit, {}};
    fixture() {
        zones.units.push_back(make_unit(level::zone, "Z9", "", -78.6, -0.4, -78.4, -0.1));
        districts.units.push_back(make_unit(level::district, "17D01", "Z9", -78.6, -0.4, -78.5, -0.1));
        districts.units.push_back(make_unit(level::district, "17D02", "Z9", -78.5, -0.4, -78.4, -0.1));
        circuits.units.push_back(make_unit(level::circuit, "17D01C01", "17D01", -78.6, -0.4, -78.5, -0.1));
        circuits.units.push_back(make_unit(level::circuit, "17D02C01", "17D02", -78.5, -0.4, -78.4, -0.1));
    }
    std::vector<const unit_layer*> layers() const { return {&zones, &districts, &circuits}; }
};

establishment at(std::string id, double lon, double lat, std::string sector = "health") {
    establishment e;
    static long long row = 0;
    e.row = ++row;
    e.id = std::move(id);
    e.sector = std::move(sector);
    e.lon = lon;
    e.lat = lat;
    return e;
}

const finding* find_rule(const findings& r, const std::string& rule, const std::string& code) {
    auto it = std::find_if(r.items.begin(), r.items.end(),
                           [&](const finding& f) { return f.rule == rule && f.code == code; });
    return it == r.items.end() ? nullptr : &*it;
}

TEST(Assign, PlacesPointsInEveryLevelAndReportsEveryProblem) {
    fixture fx;
    std::vector<establishment> pts = {
        at("inside", -78.55, -0.2),
        at("border", -78.5, -0.2),    // on the 17D01|17D02 border: east
        at("swapped", -0.2, -78.55),  // lat/lon swapped
        at("null", 0, 0),
        at("range", -78.5, 95),
        at("nan", std::nan(""), -0.2),
        at("sea", -78.3, -0.2),                   // ~11 km east of everything
        at("inside", -78.45, -0.3),               // duplicate id
        at("dup-spot", -78.55, -0.2),             // same spot, same sector as "inside"
        at("school", -78.55, -0.2, "education"),  // same spot, other sector: fine
    };
    auto r = assign_points(pts, fx.layers(), {});
    ASSERT_EQ(r.rows.size(), pts.size());
    EXPECT_EQ(r.summary.primary, level::circuit);
    EXPECT_EQ(r.rows[0].where, placement::inside);
    EXPECT_EQ(r.rows[0].code(level::circuit), "17D01C01");
    EXPECT_EQ(r.rows[0].code(level::district), "17D01");
    EXPECT_EQ(r.rows[0].code(level::zone), "Z9");
    EXPECT_EQ(r.rows[1].code(level::circuit), "17D02C01");
    EXPECT_EQ(r.rows[1].code(level::district), "17D02");
    EXPECT_EQ(r.rows[2].where, placement::outside);
    EXPECT_NE(find_rule(r.report, "point.swapped", "swapped"), nullptr);
    EXPECT_EQ(r.rows[3].where, placement::invalid);
    EXPECT_NE(find_rule(r.report, "point.null_island", "null"), nullptr);
    EXPECT_EQ(r.rows[4].where, placement::invalid);
    EXPECT_NE(find_rule(r.report, "point.out_of_range", "range"), nullptr);
    EXPECT_EQ(r.rows[5].where, placement::invalid);
    EXPECT_EQ(r.rows[6].where, placement::outside);
    ASSERT_TRUE(r.rows[6].distance_m.has_value());
    EXPECT_NEAR(*r.rows[6].distance_m, 11130, 150);  // 0.1 degree of longitude at the equator
    EXPECT_EQ(r.rows[6].nearest_code, "17D02C01");
    const finding* sea = find_rule(r.report, "point.outside", "sea");
    ASSERT_NE(sea, nullptr);
    EXPECT_NE(sea->message.find("17D02C01"), std::string::npos) << sea->message;
    EXPECT_NE(find_rule(r.report, "establishment.duplicate_id", "inside"), nullptr);
    EXPECT_NE(find_rule(r.report, "establishment.duplicate_location", "dup-spot"), nullptr);
    EXPECT_EQ(find_rule(r.report, "establishment.duplicate_location", "school"), nullptr);
    EXPECT_EQ(r.summary.invalid, 3u);
    EXPECT_EQ(r.summary.swapped, 1u);
    EXPECT_EQ(r.summary.inside + r.summary.outside + r.summary.invalid + r.summary.snapped, pts.size());
}

TEST(Assign, SnapsCoastalPointsWithinTheToleranceAndFillsTheLevelsAbove) {
    fixture fx;
    std::vector<establishment> pts = {at("coast", -78.399, -0.2), at("far", -78.3, -0.2)};
    assign_options o;
    o.snap_m = 500;
    auto r = assign_points(pts, fx.layers(), o);
    EXPECT_EQ(r.rows[0].where, placement::snapped);
    EXPECT_EQ(r.rows[0].code(level::circuit), "17D02C01");
    EXPECT_EQ(r.rows[0].code(level::district), "17D02");
    EXPECT_EQ(r.rows[0].code(level::zone), "Z9");
    EXPECT_NE(find_rule(r.report, "point.snapped", "coast"), nullptr);
    EXPECT_EQ(r.rows[1].where, placement::outside);
    EXPECT_TRUE(r.rows[1].code(level::circuit).empty());
}

}  // namespace
}  // namespace microplan::geo
