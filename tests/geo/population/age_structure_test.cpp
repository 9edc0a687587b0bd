// Age bands estimated from an area's age structure: band parsing, shares, a name with a
// broken character, the national fallback, and bands that add up to the unit's total.
#include "microplan/geo/population/age_structure.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "microplan/geo/error.hpp"
#include "support.hpp"

using namespace microplan::geo;

namespace {

std::string write_table(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() / ("microplan_age_" + name + ".csv");
    std::ofstream(path) << text;
    return path.string();
}

// Two provinces with 101 ages each (100 = 100 and older) and a national row set.
std::string two_provinces() {
    std::string t = "provincia,edad,total,hombres,mujeres\r\n";
    for (int a = 0; a <= 100; ++a) {
        t += "Total Nacional," + std::to_string(a) + "," + std::to_string(300 - 2 * a) + ",0,0\r\n";
        t += "Azuay," + std::to_string(a) + "," + std::to_string(100 + a) + ",0,0\r\n";
        // Cañar as a mis-decoded table writes it.
        t += "Ca\xC3\xAF\xC2\xBF\xC2\xBD"
             "ar," +
             std::to_string(a) + ",10,0,0\r\n";
    }
    return t;
}

}  // namespace

TEST(AgeStructure, ParsesBands) {
    auto b = parse_age_band("0-3");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->from, 0);
    EXPECT_EQ(*b->to, 3);
    auto old = parse_age_band("65+");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->from, 65);
    EXPECT_FALSE(old->to);
    EXPECT_FALSE(parse_age_band("total"));
    EXPECT_FALSE(parse_age_band("4-5+6-17"));
    EXPECT_FALSE(parse_age_band("17-5"));
}

TEST(AgeStructure, BrokenNameMatchesTheOnlyFittingProvinceAndIsReported) {
    auto table = read_age_structure(write_table("broken", two_provinces()));
    EXPECT_EQ(table.oldest, 100);
    auto s = match_age_structure(table, {{"01", "AZUAY"}, {"03", "CAÑAR"}, {"02", "BOLIVAR"}});
    ASSERT_TRUE(s.by_code.count("01"));
    ASSERT_TRUE(s.by_code.count("03"));
    EXPECT_DOUBLE_EQ(s.by_code.at("03").at(7), 10);
    ASSERT_EQ(s.report.items.size(), 1u);
    EXPECT_EQ(s.report.items[0].rule, "age_structure.broken_name");
    EXPECT_DOUBLE_EQ(s.national.at(0), 300);
}

TEST(AgeStructure, BandsAddUpToTheTotalAndFallBackToTheNation) {
    auto table = read_age_structure(write_table("bands", two_provinces()));
    auto s = match_age_structure(table, {{"01", "AZUAY"}, {"03", "CAÑAR"}});
    std::map<std::string, double> totals{{"010150", 1000}, {"030101", 505}, {"200150", 77}};
    std::map<std::string, std::string> area{{"010150", "01"}, {"030101", "03"}, {"200150", "20"}};
    auto e = estimate_bands(totals, area, s, planning_age_bands(), level::parish);
    for (const auto& [code, total] : totals) {
        double a = e.values["0-4"][code] + e.values["5-17"][code] + e.values["18-64"][code] + e.values["65+"][code];
        double b = e.values["0-3"][code] + e.values["4-5"][code] + e.values["6-17"][code] + e.values["18-64"][code] +
                   e.values["65+"][code];
        EXPECT_NEAR(a, total, 1e-9 * total) << code;
        EXPECT_NEAR(b, total, 1e-9 * total) << code;
    }
    // Cañar is flat: 10 people at each of 101 ages; 0-3 holds 4 of them.
    EXPECT_NEAR(e.values["0-3"]["030101"], 505.0 * 4 / 101, 1e-9);
    // 65+ includes the open last age.
    EXPECT_NEAR(e.values["65+"]["030101"], 505.0 * 36 / 101, 1e-9);
    ASSERT_EQ(e.report.items.size(), 1u);  // Galápagos (20) is not in the table
    EXPECT_EQ(e.report.items[0].rule, "age_structure.national_used");
    EXPECT_EQ(e.report.items[0].code, "20");
}

TEST(AgeStructure, RefusesATableWithoutAges) {
    auto path = write_table("noage", "provincia,total\nAzuay,3\n");
    EXPECT_THROW(read_age_structure(path), format_error);
    auto bad = write_table("badage", "provincia,edad,total\nAzuay,uno,3\n");
    EXPECT_THROW(read_age_structure(bad), format_error);
}
