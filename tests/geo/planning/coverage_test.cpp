#include "microplan/geo/planning/coverage.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <stdexcept>

#include "microplan/geo/error.hpp"
#include "planning_fixture.hpp"

namespace {

using namespace microplan;
using geo::level;
using test::at;

// An offer's demand, ideal, current, deficit, investment and recurrent cost, as computed by hand.
void expect_offer(const geo::offer& o, const std::array<double, 6>& by_hand) {
    const double got[] = {o.demand, o.ideal, o.current, o.deficit, o.investment, o.recurrent};
    const char* names[] = {"demand", "ideal", "current", "deficit", "investment", "recurrent"};
    for (std::size_t i = 0; i < by_hand.size(); ++i) EXPECT_EQ(got[i], by_hand[i]) << names[i];
}

// Every offer of every standard, in every unit of every tier it is defined at and in the nation,
// equal in both models (of one territory and catalogue).
void expect_same_offers(const geo::coverage_model& a, const geo::coverage_model& b) {
    const geo::territory& where = a.where();
    for (std::size_t s = 0; s < a.catalogue().items.size(); ++s) {
        for (std::size_t t = 0; t < where.tier_count() && a.defined_at(s, t); ++t)
            for (std::size_t u = 0; u < where.units(t).size(); ++u)
                ASSERT_EQ(a.at(s, t, u), b.at(s, t, u)) << "standard " << s << " " << where.units(t)[u].code;
        ASSERT_EQ(a.national(s), b.national(s)) << "standard " << s;
    }
}

struct CoverageTest : ::testing::Test {
    geo::territory where = test::small_territory();
    geo::standards_catalogue catalogue = test::small_catalogue();
    std::vector<geo::placed_establishment> rows = {
        at(where, "health", "Tipo A", "01D01C01", "good"), at(where, "health", "Tipo A", "01D01C02", "fair"),
        at(where, "health", "Tipo A", "01D01C02", "poor"), at(where, "health", "Tipo A", "02D01C01"),
        at(where, "health", "Tipo A", "02D01C01"),         at(where, "health", "Tipo A", "02D01C01", ""),
        at(where, "security", "UPC", "02D01C02"),          at(where, "health", "Puesto", "01D01C01"),
    };
    std::size_t circuit(const std::string& code) const { return *where.find(2, code); }
    std::size_t district(const std::string& code) const { return *where.find(1, code); }
};

TEST_F(CoverageTest, IdealDeficitAndCostPerCircuitByHand) {
    geo::coverage_model m(catalogue, where, test::small_population());
    m.set_establishments(rows);
    // Tipo A: one per 10,000 people, rounded up. 25,000 people -> 3 ideal, 1 existing.
    const geo::offer& c01 = m.at(0, 2, circuit("01D01C01"));
    expect_offer(c01, {25000, 3, 1, 2, 2000, 200});
    EXPECT_NEAR(c01.coverage_pct(), 100.0 / 3.0, 1e-9);
    // 8,000 people -> 1 ideal, 2 existing: a surplus of 1, no deficit; conditions counted.
    const geo::offer& c02 = m.at(0, 2, circuit("01D01C02"));
    EXPECT_EQ(c02.ideal, 1);
    EXPECT_EQ(c02.surplus, 1);
    EXPECT_EQ(c02.deficit, 0);
    EXPECT_EQ(c02.fair, 1);
    EXPECT_EQ(c02.poor, 1);
    EXPECT_EQ(c02.capacity_current, 200);  // no capacity given: the standard's 100 each
    // The district's deficit is the sum of its circuits' (2 + 0), not ideal − current (4 − 3).
    const geo::offer& d = m.at(0, 1, district("01D01"));
    EXPECT_EQ(d.ideal, 4);
    EXPECT_EQ(d.current, 3);
    EXPECT_EQ(d.deficit, 2);
    EXPECT_EQ(d.surplus, 1);
    // An empty circuit needs nothing, even "one per circuit".
    EXPECT_EQ(m.at(2, 2, circuit("02D01C03")).ideal, 0);
    EXPECT_EQ(m.national(2).ideal, 5);
    EXPECT_EQ(m.national(2).deficit, 4);
    // One hospital per populated district, none exist.
    EXPECT_EQ(m.national(1).deficit, 3);
    EXPECT_EQ(m.national(1).investment, 60000);
    // Child development counts children aged 0-3: 2,500 -> 3 CDIs at 1,000 each.
    EXPECT_EQ(m.at(3, 2, circuit("01D01C01")).demand, 2500);
    EXPECT_EQ(m.at(3, 2, circuit("01D01C01")).ideal, 3);
    // Sector totals at a district include circuit standards rolled up and district ones.
    geo::offer health = m.sector_offer("health", 1, district("01D01"));
    EXPECT_EQ(health.ideal, 4 + 1);
    EXPECT_EQ(health.deficit, 2 + 1);
    // The "Puesto" has no standard: reported, not counted.
    bool reported = false;
    for (const auto& f : m.report().items) reported |= f.rule == "coverage.not_counted";
    EXPECT_TRUE(reported);
}

// Every additive quantity of a parent equals the sum of its children, and the nation the
// sum of the zones.
void expect_roll_ups_consistent(const geo::coverage_model& m) {
    const auto& where = m.where();
    for (std::size_t s = 0; s < m.catalogue().items.size(); ++s) {
        for (std::size_t t = 0; t < m.standard_tier(s); ++t)
            for (std::size_t u = 0; u < where.units(t).size(); ++u) {
                geo::offer sum;
                for (int c : where.children(t, u)) sum += m.at(s, t + 1, static_cast<std::size_t>(c));
                EXPECT_EQ(sum, m.at(s, t, u)) << "standard " << s << " " << where.units(t)[u].code;
            }
        geo::offer nation;
        for (std::size_t u = 0; u < where.units(0).size(); ++u) nation += m.at(s, 0, u);
        EXPECT_EQ(nation, m.national(s));
    }
}

TEST_F(CoverageTest, RollUpsAreSumsOfChildren) {
    geo::coverage_model m(catalogue, where, test::small_population(1.37));
    m.set_establishments(rows);
    expect_roll_ups_consistent(m);
}

// A year's people counted once and set again (what the search of a required budget does each
// simulated year) give the offers set_population gives, whatever work plans did; counting them
// changes nothing; people counted for another territory are refused.
TEST_F(CoverageTest, PeopleCountedOnceAndSetAgainEqualSetPopulation) {
    geo::coverage_model base(catalogue, where, test::small_population());
    base.set_establishments(rows);
    base.add_built(0, circuit("01D01C02"), 1);
    const auto before = base.people();
    const auto later = base.count_people(test::small_population(1.37));
    EXPECT_EQ(base.people(), before);
    EXPECT_EQ(base.population(2, circuit("01D01C01")), 25000);
    geo::coverage_model reference = base, counted = base;
    reference.set_population(test::small_population(1.37));
    counted.set_people(later);
    expect_same_offers(reference, counted);
    EXPECT_EQ(counted.population(2, circuit("01D01C01")), 25000 * 1.37);
    EXPECT_DOUBLE_EQ(counted.population(1, district("01D01")), (25000 + 8000) * 1.37);  // filled from the circuits
    EXPECT_EQ(counted.national_population(), reference.national_population());
    EXPECT_NE(counted.own(0, circuit("01D01C01")).demand, base.own(0, circuit("01D01C01")).demand);
    counted.set_people(before);
    expect_same_offers(base, counted);
    const geo::territory elsewhere = test::small_territory();
    geo::coverage_model other(catalogue, elsewhere, test::small_population());
    EXPECT_THROW(other.set_people(later), std::invalid_argument);
    EXPECT_THROW(counted.set_people(nullptr), std::invalid_argument);
}

TEST_F(CoverageTest, IncrementalEditsEqualFullRecompute) {
    geo::coverage_model live(catalogue, where, test::small_population());
    live.set_establishments(rows);
    std::mt19937 rng(7);
    const char* typologies[][2] = {
        {"health", "Tipo A"}, {"health", "Hospital"}, {"security", "UPC"}, {"child_development", "CDI"}};
    std::vector<std::size_t> handles;
    for (std::size_t i = 0; i < rows.size(); ++i) handles.push_back(i);
    for (int step = 0; step < 300; ++step) {
        const auto& circuit_code = where.units(2)[rng() % where.units(2).size()].code;
        int op = static_cast<int>(rng() % 3);
        if (op == 0 || handles.empty()) {
            auto& t = typologies[rng() % 4];
            auto e = at(where, t[0], t[1], circuit_code, rng() % 2 ? "good" : "poor");
            e.capacity = static_cast<double>(rng() % 1000) / 7.0;  // fractions: summation order matters
            handles.push_back(live.add(e));
        } else if (op == 1) {
            std::size_t k = rng() % handles.size();
            live.remove(handles[k]);
            handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(k));
        } else {
            std::size_t k = rng() % handles.size();
            live.move(handles[k], at(where, "x", "x", circuit_code).units);
        }
    }
    std::vector<geo::placed_establishment> kept;
    for (std::size_t h = 0; h < live.establishments().size(); ++h)
        if (live.is_live(h)) kept.push_back(live.establishments()[h]);
    geo::coverage_model full(catalogue, where, test::small_population());
    full.set_establishments(kept);
    expect_same_offers(full, live);
    expect_roll_ups_consistent(live);
}

// A scenario's closure: an existing row removed, then restored, leaves the model as it was;
// counts() tells the rows that count in some standard's offer from those that do not.
TEST_F(CoverageTest, ARemovedRowRestoredCountsAgainAndCountsTellsWhichRowsCount) {
    auto private_one = at(where, "health", "Tipo A", "01D01C01");
    private_one.provider = "private";
    rows.push_back(private_one);
    rows.push_back(at(where, "health", "Typology of no standard", "01D01C01"));
    geo::coverage_model before(catalogue, where, test::small_population());
    before.set_establishments(rows);
    geo::coverage_model m = before;
    EXPECT_TRUE(m.counts(0));
    EXPECT_FALSE(m.counts(rows.size() - 2)) << "a private establishment counts";
    EXPECT_FALSE(m.counts(rows.size() - 1)) << "an establishment of no standard counts";
    EXPECT_FALSE(m.counts(rows.size())) << "a row that does not exist counts";
    const std::size_t s = 0, c = static_cast<std::size_t>(rows[0].units[2]);
    m.remove(0);
    EXPECT_EQ(m.at(s, 2, c).current, before.at(s, 2, c).current - 1);
    m.restore(0);
    m.restore(0);  // live already: nothing
    for (std::size_t t = 0; t <= m.standard_tier(s); ++t)
        for (std::size_t u = 0; u < where.units(t).size(); ++u) ASSERT_EQ(m.at(s, t, u), before.at(s, t, u));
    EXPECT_EQ(m.national(s), before.national(s));
}

TEST_F(CoverageTest, ProposedEstablishmentsCountOnlyInScenarios) {
    auto proposed = at(where, "health", "Tipo A", "01D01C01");
    proposed.status = "proposed";
    rows.push_back(proposed);
    geo::coverage_model baseline(catalogue, where, test::small_population());
    baseline.set_establishments(rows);
    geo::coverage_model scenario(catalogue, where, test::small_population(), {}, {true});
    scenario.set_establishments(rows);
    EXPECT_EQ(baseline.at(0, 2, circuit("01D01C01")).current, 1);
    EXPECT_EQ(scenario.at(0, 2, circuit("01D01C01")).current, 2);
    EXPECT_EQ(scenario.at(0, 2, circuit("01D01C01")).deficit, 1);
}

TEST_F(CoverageTest, PovertyAndDispersionFactorsScaleDemand) {
    catalogue.items[0].factors = {{"poverty", 0.5}};
    catalogue.items[3].factors = {{"dispersion", 1.0}};
    std::vector<geo::unit_attributes> attributes(3);
    const double nbi[] = {40, 10, 10, 10, 10, 10};
    for (std::size_t i = 0; i < 6; ++i) attributes[2]["poverty"][where.units(2)[i].code] = nbi[i];
    auto people = test::small_population();
    geo::coverage_model m(catalogue, where, people, attributes);
    // Population-weighted mean NBI: (25000×40 + 54000×10) / 79000 (the empty circuit weighs 0).
    double mean = (25000.0 * 40 + 54000.0 * 10) / 79000.0;
    EXPECT_NEAR(m.at(0, 2, circuit("01D01C01")).demand, 25000 * (1 + 0.5 * (40 / mean - 1)), 1e-6);
    EXPECT_NEAR(m.at(0, 2, circuit("01D01C02")).demand, 8000 * (1 + 0.5 * (10 / mean - 1)), 1e-6);
    // Dispersion (km² per 1,000 people), weight 1, clamped to [0.5, 2]: the sparse circuit B
    // (400 km², 8,000 people) doubles, dense A (10 km², 25,000 people) halves.
    EXPECT_NEAR(m.at(3, 2, circuit("01D01C02")).demand, 800 * 2.0, 1e-9);
    EXPECT_NEAR(m.at(3, 2, circuit("01D01C01")).demand, 2500 * 0.5, 1e-9);
    // A factor without values is reported and ignored.
    catalogue.items[0].factors = {{"altitude", 0.5}};
    geo::coverage_model n(catalogue, where, people, attributes);
    EXPECT_EQ(n.at(0, 2, circuit("01D01C01")).demand, 25000);
    bool reported = false;
    for (const auto& f : n.report().items) reported |= f.rule == "standards.factor_missing";
    EXPECT_TRUE(reported);
}

// Zone Z1 > district 01D01 > `circuits`, in the order given (the tests below give them out of
// code order).
geo::territory one_district(std::vector<geo::territory_unit> circuits) {
    using geo::level;
    return geo::territory({level::zone, level::district, level::circuit},
                          {{{"Z1", "Zona 1", "", 0}}, {{"01D01", "Norte", "Z1", 0}}, std::move(circuits)});
}

// Population and factor values are matched to the units by code, whatever the units' order, a
// unit without a value, or values of codes that are no unit (codes sort before and after them).
TEST(CoverageCodes, ValuesAreMatchedToUnitsByCodeInAnyOrder) {
    const geo::territory where = one_district({{"01D01C03", "C", "01D01", 60},
                                               {"01D01C01", "A", "01D01", 10},
                                               {"01D01C04", "D", "01D01", 40},
                                               {"01D01C02", "B", "01D01", 20}});
    geo::population_values circuits;
    const std::pair<const char*, double> people[] = {
        {"01D01C00", 999}, {"01D01C01", 1000}, {"01D01C02", 2000}, {"01D01C03", 3000}, {"01D01C99", 777}};
    for (auto [code, n] : people) {
        circuits[geo::total_band][code] = n;
        circuits["0-3"][code] = n / 10;
    }
    geo::standards_catalogue catalogue = test::small_catalogue();
    catalogue.items[0].factors = {{"poverty", 1.0}};
    catalogue.items[3].factors = {{"dispersion", 1.0}};
    std::vector<geo::unit_attributes> attributes(3);
    attributes[2]["poverty"] = {{"01D01C00", 90}, {"01D01C02", 30}, {"01D01C03", 10}, {"01D01C04", 50}};
    geo::coverage_model m(catalogue, where, {{}, {}, circuits}, attributes);
    // Units in the territory's order: C03, C01, C04 (no people), C02.
    // Poverty: C01 has no value (unadjusted); the population-weighted mean of the others is
    // (3000 × 10 + 2000 × 30) / 5000 = 18.
    EXPECT_NEAR(m.at(0, 2, 0).demand, 3000 * (10.0 / 18), 1e-9);
    EXPECT_EQ(m.at(0, 2, 1).demand, 1000);
    EXPECT_EQ(m.at(0, 2, 2).demand, 0);
    EXPECT_NEAR(m.at(0, 2, 3).demand, 2000 * (30.0 / 18), 1e-9);
    // Dispersion, km² per 1,000 people: C03 20, C01 10, C02 10 (C04 has no people); the mean
    // weighted by people is (3000 × 20 + 1000 × 10 + 2000 × 10) / 6000 = 15.
    EXPECT_NEAR(m.at(3, 2, 0).demand, 300 * (20.0 / 15), 1e-9);
    EXPECT_NEAR(m.at(3, 2, 1).demand, 100 * (10.0 / 15), 1e-9);
    EXPECT_EQ(m.at(3, 2, 2).demand, 0);
    EXPECT_NEAR(m.at(3, 2, 3).demand, 200 * (10.0 / 15), 1e-9);
}

TEST(CoverageCodes, EachMatchedGivesTheUnitFindGivesOncePerCodeBothHold) {
    // C01 twice: the first one is the unit find() gives, and the only one matched.
    const geo::territory where = one_district({{"01D01C03", "C", "01D01", 0},
                                               {"01D01C01", "A", "01D01", 0},
                                               {"01D01C01", "A2", "01D01", 0},
                                               {"01D01C02", "B", "01D01", 0}});
    const std::map<std::string, double> values{{"01D01C00", 1}, {"01D01C01", 2}, {"01D01C03", 3}, {"01D01C09", 4}};
    std::vector<std::pair<std::size_t, double>> seen;
    where.each_matched(2, values, [&](std::size_t i, double v) { seen.emplace_back(i, v); });
    const std::vector<std::pair<std::size_t, double>> expected{{1, 2}, {0, 3}};  // in code order
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(where.find(2, "01D01C01"), std::optional<std::size_t>(1));
    seen.clear();
    where.each_matched(2, std::map<std::string, double>{}, [&](std::size_t i, double v) { seen.emplace_back(i, v); });
    EXPECT_TRUE(seen.empty());
}

TEST_F(CoverageTest, MissingAgeBandNamesTheStandardAndTheBand) {
    catalogue.items[3].target_bands = {"6-17"};
    try {
        geo::coverage_model m(catalogue, where, test::small_population());
        FAIL() << "expected an error";
    } catch (const geo::format_error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("6-17"), std::string::npos) << what;
        EXPECT_NE(what.find("CDI"), std::string::npos) << what;
        EXPECT_EQ(e.where().feature, 5);
        EXPECT_EQ(e.where().field, "target_group");
    }
}

TEST_F(CoverageTest, StandardsOfAbsentLevelsAreLeftOutWithAFinding) {
    geo::territory districts_only({level::zone, level::district}, {where.units(0), where.units(1)});
    std::vector<geo::population_values> people(2);
    people[1][geo::total_band] = {{"01D01", 33000}, {"01D02", 12000}, {"02D01", 34000}};
    geo::coverage_model m(catalogue, districts_only, people);
    EXPECT_EQ(m.sector_national("health").ideal, 3);  // the hospitals only
    bool reported = false;
    for (const auto& f : m.report().items) reported |= f.rule == "standards.level_absent";
    EXPECT_TRUE(reported);
}

TEST(Rounding, DocumentedRules) {
    using geo::rounding_rule;
    EXPECT_EQ(geo::round_ideal(2.01, rounding_rule::ceil), 3);
    EXPECT_EQ(geo::round_ideal(2.0, rounding_rule::ceil), 2);
    EXPECT_EQ(geo::round_ideal(2.0000000000001, rounding_rule::ceil), 2);  // binary noise
    EXPECT_EQ(geo::round_ideal(2.5, rounding_rule::round), 3);
    EXPECT_EQ(geo::round_ideal(2.49, rounding_rule::round), 2);
    EXPECT_EQ(geo::round_ideal(2.99, rounding_rule::floor), 2);
    EXPECT_EQ(geo::round_ideal(-1, rounding_rule::ceil), 0);
}

}  // namespace

namespace {

// Staff: health Tipo A (one per 10,000 people, 12 staff, 10,000 USD a year each) in 01D01C01
// (25,000 people: ideal 3) with two centres, one with 8 in post and one of unknown staff (counted
// as the standard's 12): 20 in post of 36 needed, 16 missing; the salaries of those missing where
// centres stand, (2 × 12 − 20) × 10,000 = 40,000, join the recurrent cost of the missing centre.
TEST(CoverageStaff, StaffInPostNeededMissingAndItsSalariesByHand) {
    geo::territory where = microplan::test::small_territory();
    geo::standards_catalogue c;
    c.source = "test";
    geo::standard st = microplan::test::make_standard("health", "Tipo A", geo::level::circuit,
                                                      geo::standard_rule::population, 10000, 1000, 500);
    st.staff = 12;
    st.salary = 10000;
    c.items.push_back(st);
    geo::coverage_model m(c, where, microplan::test::small_population());
    std::vector<geo::placed_establishment> rows = {microplan::test::at(where, "health", "Tipo A", "01D01C01"),
                                                   microplan::test::at(where, "health", "Tipo A", "01D01C01")};
    rows[0].staff = 8;
    m.set_establishments(rows);
    const std::size_t u = *where.find(2, "01D01C01");
    const geo::offer& o = m.at(0, 2, u);
    EXPECT_EQ(o.ideal, 3);
    EXPECT_EQ(o.current, 2);
    EXPECT_EQ(o.staff_current, 20);
    EXPECT_EQ(o.staff_ideal, 36);
    EXPECT_EQ(o.staff_deficit, 16);
    EXPECT_EQ(o.staff_cost, 40000);
    EXPECT_EQ(o.recurrent, 1 * 500 + 40000);
    // Parents add their circuits' staff: the district 01D01 holds 01D01C01 and 01D01C02 (8,000
    // people: ideal 1, nobody in post: 12 missing, no centre so no salaries missing in post).
    const geo::offer& d = m.sector_offer("health", 1, *where.find(1, "01D01"));
    EXPECT_EQ(d.staff_ideal, 36 + 12);
    EXPECT_EQ(d.staff_deficit, 16 + 12);
    EXPECT_EQ(d.staff_cost, 40000);
    // A standard without staff plans none.
    geo::coverage_model plain(microplan::test::small_catalogue(), where, microplan::test::small_population());
    plain.set_establishments(rows);
    EXPECT_EQ(plain.sector_offer("health", 0, 0).staff_ideal, 0);
}

}  // namespace

namespace {

// Condition: 01D01C02 (8,000 people, ideal 1) has a fair and a poor Tipo A (1,000 to build). The
// poor one is rehabilitated at the standard's cost (400; without one it is replaced, 1,000), in
// the investment either way; out of the offer (poor_counts false) the circuit still has its one.
TEST(CoverageCondition, PoorEstablishmentsAreRehabilitatedAndMayLeaveTheOffer) {
    geo::territory where = microplan::test::small_territory();
    geo::standards_catalogue c = microplan::test::small_catalogue();
    std::vector<geo::placed_establishment> rows = {
        microplan::test::at(where, "health", "Tipo A", "01D01C02", "fair"),
        microplan::test::at(where, "health", "Tipo A", "01D01C02", "poor"),
        microplan::test::at(where, "health", "Tipo A", "01D02C01", "poor")};  // 12,000 people: ideal 2
    const std::size_t c02 = *where.find(2, "01D01C02"), d01 = *where.find(2, "01D02C01");
    geo::coverage_model replace(c, where, microplan::test::small_population());
    replace.set_establishments(rows);
    EXPECT_EQ(replace.at(0, 2, c02).rehabilitation, 1);
    EXPECT_EQ(replace.at(0, 2, c02).investment, 1000);  // replaced: no rehabilitation cost given
    c.items[0].rehabilitation_cost = 400;
    geo::coverage_model counted(c, where, microplan::test::small_population());
    counted.set_establishments(rows);
    EXPECT_EQ(counted.at(0, 2, c02).current, 2);
    EXPECT_EQ(counted.at(0, 2, c02).investment, 400);
    // 01D02C01: ideal 2, one poor counted: one to build (1,000) and one to rehabilitate (400).
    EXPECT_EQ(counted.at(0, 2, d01).deficit, 1);
    EXPECT_EQ(counted.at(0, 2, d01).investment, 1400);
    geo::coverage_options out;
    out.poor_counts = false;
    geo::coverage_model excluded(c, where, microplan::test::small_population(), {}, out);
    excluded.set_establishments(rows);
    EXPECT_EQ(excluded.at(0, 2, c02).current, 1);
    EXPECT_EQ(excluded.at(0, 2, c02).deficit, 0);
    EXPECT_EQ(excluded.at(0, 2, c02).investment, 400);
    // 01D02C01 without its poor one: 2 missing, the rehabilitation fills one, one is built.
    EXPECT_EQ(excluded.at(0, 2, d01).deficit, 2);
    EXPECT_EQ(excluded.at(0, 2, d01).investment, 1000 + 400);
    EXPECT_EQ(excluded.national(0).rehabilitation_cost, 800);
}

// A school: one per 10,000 people, 100 places, 1,000 to build, 100 a year to run; a place added
// to an existing school costs 5 (500 for a school's worth: cheaper than a new one), up to 30 a
// school; the minimum operable tier is one school per 20,000 people.
geo::standards_catalogue expandable_school(double expansion_cost = 5) {
    geo::standards_catalogue c;
    c.source = "test";
    c.items.push_back(microplan::test::make_standard("education", "Escuela", geo::level::circuit,
                                                     geo::standard_rule::population, 10000, 1000, 100));
    c.items[0].expansion_cost = expansion_cost;
    c.items[0].expansion_limit = 30;
    c.items[0].minimum_people_per_unit = 20000;
    return c;
}

TEST(CoverageExpansion, ACapacityGapIsClosedByExpandingWhatExistsThenBuildingByHand) {
    geo::territory where = microplan::test::small_territory();
    const std::size_t c01 = *where.find(2, "01D01C01"), d01 = *where.find(2, "01D02C01");
    std::vector<geo::placed_establishment> rows = {microplan::test::at(where, "education", "Escuela", "01D01C01"),
                                                   microplan::test::at(where, "education", "Escuela", "01D01C01")};
    geo::coverage_model m(expandable_school(), where, microplan::test::small_population());
    m.set_establishments(rows);
    // 01D01C01: 25,000 people, ideal 3 (300 places), 2 schools of 100: 100 places missing; 60 come
    // from expanding the two (30 each), the other 40 need one new school.
    const geo::offer& o = m.at(0, 2, c01);
    EXPECT_EQ(o.ideal, 3);
    EXPECT_EQ(o.expansion, 60);
    EXPECT_EQ(o.expansion_cost, 300);
    EXPECT_EQ(o.deficit, 1);
    EXPECT_EQ(o.investment, 1000 + 300);
    EXPECT_DOUBLE_EQ(o.recurrent, 100 + 60);  // a new school's running cost and 60 % of one
    EXPECT_DOUBLE_EQ(o.coverage_pct(), 200.0 / 3);
    EXPECT_TRUE(o.open());
    // The minimum operable tier: ceil(25,000 / 20,000) = 2, reached; 01D02C01 (12,000 people, no
    // school): minimum 1, missing, and nothing to expand.
    EXPECT_EQ(o.minimum, 2);
    EXPECT_EQ(o.minimum_deficit, 0);
    EXPECT_EQ(m.at(0, 2, d01).minimum_deficit, 1);
    EXPECT_EQ(m.at(0, 2, d01).expansion, 0);
    EXPECT_EQ(m.at(0, 2, d01).deficit, 2);
    m.add_expanded(0, c01, 60);
    EXPECT_EQ(m.at(0, 2, c01).expansion, 0);  // the limit is used up
    EXPECT_EQ(m.at(0, 2, c01).deficit, 1);
    EXPECT_DOUBLE_EQ(m.at(0, 2, c01).covered, 2.6);
    EXPECT_EQ(m.expansion_room(0, c01), 0);
    m.add_built(0, c01, 1);
    EXPECT_FALSE(m.at(0, 2, c01).open());
    EXPECT_EQ(m.at(0, 2, c01).coverage_pct(), 100);
    // Rolled up: nothing is left to expand in 01D01C01's district either.
    EXPECT_EQ(m.at(0, 1, *where.find(1, "01D01")).expansion, 0);
    // When a place costs more than a new school's places (20 x 100 > 1,000), nothing expands:
    // the gap is counted in schools.
    geo::coverage_model dear(expandable_school(20), where, microplan::test::small_population());
    dear.set_establishments(rows);
    EXPECT_EQ(dear.at(0, 2, c01).expansion, 0);
    EXPECT_EQ(dear.at(0, 2, c01).deficit, 1);
    EXPECT_EQ(dear.at(0, 2, c01).investment, 1000);
}

}  // namespace

namespace {

// The national level (the method's Tabla 1 "Central"): a standard counted for the nation as one
// unit. One specialty hospital per 30,000 people: 79,000 people, ideal ceil(2.63) = 3; two exist
// (in different zones) and one placed in no unit does not count: 1 missing, 5,000 to build.
TEST(CoverageNation, ANationalStandardCountsTheWholeCountryAsOneUnitByHand) {
    geo::territory where = microplan::test::small_territory();
    geo::standards_catalogue c = microplan::test::small_catalogue();
    c.items.push_back(microplan::test::make_standard("health", "Especialidades", level::nation,
                                                     geo::standard_rule::population, 30000, 5000, 900, 2));
    const std::size_t h = c.items.size() - 1;
    geo::coverage_model m(c, where, microplan::test::small_population());
    std::vector<geo::placed_establishment> rows = {microplan::test::at(where, "health", "Especialidades", "01D01C01"),
                                                   microplan::test::at(where, "health", "Especialidades", "02D01C02"),
                                                   microplan::test::at(where, "health", "Especialidades", "02D01C03")};
    rows.back().units.assign(3, -1);  // outside every unit
    m.set_establishments(rows);
    ASSERT_TRUE(m.national_level(h));
    ASSERT_TRUE(m.active(h));
    EXPECT_EQ(m.unit_count(h), 1u);
    EXPECT_EQ(m.unit_code(h, 0), "nation");
    const geo::offer& o = m.own(h, 0);
    expect_offer(o, {79000, 3, 2, 1, 5000, 900});
    EXPECT_EQ(&o, &m.national(h));
    // No unit has it: not defined at any tier, not in a unit's sector total; the nation's has it.
    for (std::size_t t = 0; t < where.tier_count(); ++t) EXPECT_FALSE(m.defined_at(h, t));
    EXPECT_EQ(*m.sector_tier("health"), 2u);
    const double units_only = m.sector_offer("health", 0, 0).deficit + m.sector_offer("health", 0, 1).deficit;
    EXPECT_EQ(m.sector_national("health").deficit, units_only + 1);
    // Edits and plans reach it like any unit: building one closes it.
    m.add_built(h, 0, 1);
    EXPECT_EQ(m.national(h).deficit, 0);
    EXPECT_FALSE(m.national(h).open());
    auto handle = m.add(microplan::test::at(where, "health", "Especialidades", "01D02C01"));
    EXPECT_EQ(m.national(h).current, 4);
    EXPECT_EQ(m.national(h).surplus, 1);
    m.remove(handle);
    EXPECT_EQ(m.national(h).current, 3);
}

}  // namespace
