// Establishments without coordinates placed by their recorded codes and names, at the finest
// level those determine and no finer, and counted in coverage at that level and above only.
#include "microplan/geo/territory/place_by_code.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/planning/coverage.hpp"

using namespace microplan::geo;

namespace {

constexpr std::size_t at(level l) { return static_cast<std::size_t>(l); }

// Zone Z1 with districts 01D01 (canton 0101 shared with 01D02) and 01D02; 01D03 holds canton
// 0102 alone. Parish 010101 lies wholly in circuit 01D01C01.
code_hierarchy base() {
    code_hierarchy h;
    h.parent[at(level::zone)] = {{"Z1", ""}};
    h.parent[at(level::district)] = {{"01D01", "Z1"}, {"01D02", "Z1"}, {"01D03", "Z1"}};
    h.parent[at(level::circuit)] = {{"01D01C01", "01D01"}, {"01D02C01", "01D02"}, {"01D03C01", "01D03"}};
    h.parent[at(level::canton)] = {{"0101", ""}, {"0102", ""}};
    h.parent[at(level::parish)] = {{"010101", "0101"}, {"010150", "0101"}, {"010250", "0102"}};
    h.circuit_of_parish = {{"010101", "01D01C01"}};
    h.districts_of_canton = {{"0101", {"01D01", "01D02"}}, {"0102", {"01D03"}}};
    h.names_of_district = {{"01D01", {"BANOS", "CUMBE"}}, {"01D02", {"SUCRE", "MONAY", "CUMBE"}}};
    return h;
}

establishment named(const char* id) {
    establishment e;
    e.id = id;
    e.sector = "health";
    return e;
}

}  // namespace

TEST(PlaceByCode, ReachesTheFinestLevelTheCodesDetermine) {
    std::vector<establishment> rows{named("parish"), named("canton-alone"), named("names"),
                                    named("tie"),    named("unknown"),      named("recorded-district")};
    std::vector<recorded_place> where(rows.size());
    where[0].codes[level::parish] = "010101";
    where[1].codes[level::canton] = "0102";
    where[2].codes[level::canton] = "0101";
    where[2].names = {"Sucre", "Monay", "Baños"};
    where[3].codes[level::canton] = "0101";
    where[3].names = {"Cumbe"};
    where[4].codes[level::canton] = "9999";
    where[5].codes[level::district] = "01D02";
    where[5].codes[level::parish] = "010150";
    code_placement_result r = place_by_recorded_codes(rows, where, base());
    ASSERT_EQ(r.rows.size(), rows.size());
    EXPECT_EQ(r.rows[0].where, placement::by_code);
    EXPECT_EQ(*r.rows[0].reached, level::circuit);
    EXPECT_EQ(r.rows[0].code(level::circuit), "01D01C01");
    EXPECT_EQ(r.rows[0].code(level::district), "01D01");
    EXPECT_EQ(r.rows[0].code(level::zone), "Z1");
    EXPECT_EQ(r.rows[0].code(level::canton), "0101");
    EXPECT_EQ(*r.rows[1].reached, level::district);  // the only district of its canton
    EXPECT_EQ(r.rows[1].code(level::district), "01D03");
    EXPECT_TRUE(r.rows[1].code(level::circuit).empty());
    EXPECT_EQ(r.rows[2].code(level::district), "01D02");  // two of three names are 01D02's
    EXPECT_EQ(r.district_by_names, 1u);
    EXPECT_EQ(*r.rows[3].reached, level::canton);  // a tie: no district
    EXPECT_TRUE(r.rows[3].code(level::district).empty());
    EXPECT_EQ(r.rows[4].where, placement::invalid);  // nothing known
    EXPECT_FALSE(r.rows[4].reached);
    EXPECT_EQ(r.unplaced, 1u);
    EXPECT_EQ(r.rows[5].code(level::district), "01D02");
    EXPECT_EQ(*r.rows[5].reached, level::district);
    std::size_t not_placed = 0;
    for (const auto& f : r.report.items) not_placed += f.rule == "establishment.not_placed";
    EXPECT_EQ(not_placed, 1u);
}

TEST(PlaceByCode, CountsAtItsLevelAndAboveNotBelow) {
    territory t({level::zone, level::district, level::circuit},
                {{{"Z1", "Z", "", 1}},
                 {{"01D01", "D", "Z1", 1}},
                 {{"01D01C01", "C1", "01D01", 1}, {"01D01C02", "C2", "01D01", 1}}});
    standards_catalogue c;
    standard district;
    district.sector = "health";
    district.typology = "*";
    district.lvl = level::district;
    district.people_per_unit = 100;
    standard circuit = district;
    circuit.sector = "education";
    circuit.lvl = level::circuit;
    c.items = {district, circuit};
    std::vector<population_values> people(3);
    people[2]["total"] = {{"01D01C01", 100}, {"01D01C02", 100}};
    coverage_model m(c, t, people);
    establishment e = named("x");
    placed_establishment health = place_by_codes(t, e, {{level::zone, "Z1"}, {level::district, "01D01"}});
    e.sector = "education";
    placed_establishment school = place_by_codes(t, e, {{level::zone, "Z1"}, {level::district, "01D01"}});
    m.set_establishments(std::vector<placed_establishment>{health, school});
    EXPECT_EQ(m.at(0, 1, 0).current, 1);  // the district holds the health unit
    EXPECT_EQ(m.at(0, 0, 0).current, 1);  // and its zone
    // The school reached the district only: no circuit gets a share of it.
    EXPECT_EQ(m.at(1, 2, 0).current + m.at(1, 2, 1).current, 0);
    EXPECT_EQ(m.at(1, 1, 0).current, 0);
}
