// build-ecuador's services on the real data (../shared/data/ecuador; skipped without it): age
// bands that add up to each unit's total, the shipped education and health catalogues running
// on the real base, public and private schools told apart, their condition read, MSP units
// placed by code, and coverage per district for both sectors.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/design.hpp"
#include "microplan/geo/usecases/planning.hpp"
#include "support.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {

// The base is built once for the suite (a few seconds) into a folder removed at the end.
class EcuadorServices : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!std::filesystem::exists(ecuador("README.md"))) return;
        dir_ = std::filesystem::temp_directory_path() / ("microplan-ecuador-services-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        usecases::build_ecuador_options o;
        o.data_dir = ecuador("");
        o.out = (dir_ / "ec.sqlite").string();
        o.legal_zones = std::string(MICROPLAN_DATA_DIR) + "/ecuador/legal_zones.csv";
        o.standards = {std::string(MICROPLAN_DATA_DIR) + "/standards/ecuador_education.csv",
                       std::string(MICROPLAN_DATA_DIR) + "/standards/ecuador_health.csv"};
        o.national.threads = 2;
        usecases::build_ecuador(o);
        store_ = o.out;
    }
    static void TearDownTestSuite() {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    void SetUp() override {
        MICROPLAN_NEED_ECUADOR_DATA();
        ASSERT_FALSE(store_.empty());
    }
    static std::vector<coverage_row> coverage(const std::string& sector, bool include_private = false) {
        usecases::coverage_request r;
        r.base.store = store_;
        r.base.include_private = include_private;
        r.query.lvl = level::district;
        r.query.sector = sector;
        return usecases::compute_coverage(r).rows;
    }
    static inline std::filesystem::path dir_;
    static inline std::string store_;
};

}  // namespace

TEST_F(EcuadorServices, BandsOfEveryUnitAddUpToItsTotal) {
    auto db = store::open_store(store_, store::open_mode::read_only);
    EXPECT_EQ(db->base_population_year(), 2022);
    for (auto [l, year] : {std::pair{level::parish, 2022},
                           {level::canton, 2022},
                           {level::zone, 2022},
                           {level::district, 2022},
                           {level::circuit, 2022},
                           {level::parish, 2030},
                           {level::circuit, 2035},
                           {level::district, 2030},
                           {level::zone, 2035}}) {
        SCOPED_TRACE(std::to_string(year));
        population_values v = db->read_population(l, year);
        ASSERT_TRUE(v.count("total")) << level_name(l);
        for (const char* b : {"0-3", "0-4", "4-5", "5-14", "5-17", "6-17", "15-17", "18-64", "65+"})
            ASSERT_TRUE(v.count(b)) << level_name(l) << " " << b;
        for (const auto& [code, total] : v.at("total")) {
            double a = v["0-4"][code] + v["5-17"][code] + v["18-64"][code] + v["65+"][code];
            double b = v["0-3"][code] + v["4-5"][code] + v["6-17"][code] + v["18-64"][code] + v["65+"][code];
            EXPECT_NEAR(a, total, 1e-6 * std::max(1.0, total)) << level_name(l) << " " << code;
            EXPECT_NEAR(b, total, 1e-6 * std::max(1.0, total)) << level_name(l) << " " << code;
            EXPECT_LT(v["5-17"][code], 0.4 * total + 1) << code;  // Ecuador: about a quarter
        }
    }
}

TEST_F(EcuadorServices, ShippedCataloguesRunOnTheRealBase) {
    auto education = coverage("education");
    auto health = coverage("health");
    ASSERT_EQ(education.size(), 140u);  // every district
    ASSERT_EQ(health.size(), 140u);
    double ideal = 0, current = 0, h_ideal = 0, h_current = 0;
    std::size_t with_schools = 0, with_health = 0;
    for (const auto& r : education) {
        ideal += r.values.ideal;
        current += r.values.current;
        with_schools += r.values.current > 0;
    }
    for (const auto& r : health) {
        h_ideal += r.values.ideal;
        h_current += r.values.current;
        with_health += r.values.current > 0;
    }
    EXPECT_GT(ideal, 5000);  // one school per 400 people aged 5-17 (about 4.2 M)
    EXPECT_GT(current, 9000);
    EXPECT_GE(with_schools, 135u);
    EXPECT_GT(h_ideal, 1500);  // one first-level unit per 10,000 people
    EXPECT_GT(h_current, 3000);
    EXPECT_GE(with_health, 130u);
    // Private schools enter the current offer only when asked.
    double with_private = 0;
    for (const auto& r : coverage("education", true)) with_private += r.values.current;
    EXPECT_GT(with_private, current + 2000);
}

TEST_F(EcuadorServices, SchoolsCarryProviderAndCondition) {
    auto db = store::open_store(store_, store::open_mode::read_only);
    std::map<std::string, std::size_t> provider, source, condition, placement;
    std::size_t schools = 0;
    for (const auto& s : db->read_establishments()) {
        if (s.attributes.sector != "education") continue;
        ++schools;
        ++provider[s.attributes.provider];
        ++source[s.attributes.provider_source];
        ++condition[s.attributes.condition];
        ++placement[s.placement];
    }
    EXPECT_GT(schools, 17000u);  // one per AMIE code of the points file and the registry
    EXPECT_LT(schools, 17200u);
    EXPECT_EQ(provider["private"], source["PARTICULAR"]);
    EXPECT_GT(provider["private"], 3000u);
    EXPECT_EQ(provider["public"], source["FISCAL"] + source["FISCOMISIONAL"] + source["MUNICIPAL"]);
    EXPECT_GT(source["FISCOMISIONAL"], 500u);
    EXPECT_LE(provider[""], 5u);          // points without a registry row
    EXPECT_GT(condition["poor"], 1000u);  // MALO and DETERIORO
    EXPECT_GT(condition["fair"], 5000u);  // REGULAR
    EXPECT_GT(condition["good"], 500u);   // BUENO
    EXPECT_GT(placement["inside"], 9500u);
    EXPECT_GT(placement["by_code"], 6000u);  // the registry's schools without coordinates
}

TEST_F(EcuadorServices, MspUnitsArePlacedByCode) {
    auto db = store::open_store(store_, store::open_mode::read_only);
    std::map<std::string, std::size_t> reached;
    std::size_t health = 0, unplaced = 0;
    for (const auto& s : db->read_establishments()) {
        if (s.attributes.sector != "health") continue;
        ++health;
        EXPECT_EQ(s.attributes.provider, "public");
        if (s.placement != "by_code") {
            ++unplaced;
            continue;
        }
        ++reached[s.placement_level];
        if (s.placement_level == "canton") {
            EXPECT_TRUE(s.code(level::district).empty());
        }
    }
    EXPECT_EQ(health, 3579u);
    EXPECT_GT(reached["district"], 3300u);
    EXPECT_LE(unplaced, 10u);
}
