// The zones of the real national base (../shared/data/ecuador; skipped without it): every
// district in its legal zone (data/ecuador/legal_zones.csv), the pilot districts of the
// SENPLADES method where the method puts them, each source that disagrees reported as the
// loser, and each zone one territory, islands aside (territory/contiguity.hpp).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "microplan/geo/design/national.hpp"
#include "microplan/geo/design/national_stages.hpp"
#include "microplan/geo/territory/validate.hpp"
#include "microplan/geo/usecases/national.hpp"
#include "support.hpp"

using namespace microplan::geo;
using namespace microplan::geo::design;
using namespace microplan::test;

namespace {

struct built {
    national_inputs in;
    national_result r;
};

// Built once for the tests of this file (a few seconds).
const built& national() {
    static std::unique_ptr<built> b = [] {
        auto out = std::make_unique<built>();
        national_sources src = national_sources::from_data_dir(ecuador(""));
        src.legal_zones = std::string(MICROPLAN_DATA_DIR) + "/ecuador/legal_zones.csv";
        national_options o;
        o.threads = 2;
        out->in = usecases::read_national_inputs(src, o.analysis_crs, o.threads);
        out->r = build_national(out->in, o);
        return out;
    }();
    return *b;
}

std::map<std::string, std::string> zone_of_district(const national_result& r) {
    std::map<std::string, std::string> z;
    for (const unit& d : r.districts.units) z[d.code] = d.parent_code;
    return z;
}

}  // namespace

TEST(RealDataZones, ThePilotDistrictsOfTheMethodAreInTheirZones) {
    MICROPLAN_NEED_ECUADOR_DATA();
    auto z = zone_of_district(national().r);
    const std::map<std::string, std::string> pilots = {
        {"08D05", "Z1"}, {"22D01", "Z2"}, {"05D05", "Z3"}, {"13D10", "Z4"}, {"02D02", "Z5"},
        {"01D08", "Z6"}, {"11D09", "Z7"}, {"09D08", "Z8"}, {"17D06", "Z9"}, {"17D07", "Z9"}};
    for (const auto& [d, zone] : pilots) EXPECT_EQ(z[d], zone) << d;
}

TEST(RealDataZones, EveryDistrictIsInItsLegalZone) {
    MICROPLAN_NEED_ECUADOR_DATA();
    const built& b = national();
    std::map<std::string, std::string> province_zone;
    for (const legal_zone& l : b.in.legal_zones)
        if (l.lvl == level::province) province_zone[l.code] = l.zone;
    // The law's canton rows: Guayaquil, Durán, Samborondón (Z8) and Quito (Z9), by their
    // districts; La Concordia (canton 0808 of the 2012 cartography) is district 23D03.
    std::set<std::string> z8 = {"09D01", "09D02", "09D03", "09D04", "09D05", "09D06",
                                "09D07", "09D08", "09D09", "09D10", "09D23", "09D24"};
    auto z = zone_of_district(b.r);
    ASSERT_EQ(z.size(), 140u);
    for (const auto& [d, zone] : z) {
        std::string legal = province_zone.at(d.substr(0, 2));
        if (z8.count(d)) legal = "Z8";
        if (d >= "17D01" && d <= "17D09") legal = "Z9";
        EXPECT_EQ(zone, legal) << d;
    }
}

TEST(RealDataZones, EachDisagreementIsReportedWithTheSourceThatLost) {
    MICROPLAN_NEED_ECUADOR_DATA();
    std::map<std::string, std::set<std::string>> lost;  // district -> losing sources
    for (const finding& f : national().r.report.items)
        if (f.rule == "sources.zone_disagreement") lost[f.code].insert(f.message.substr(0, f.message.find(" (")));
    // The 22 districts of the issue: the codification table lost for Azuay, Cañar, Tungurahua,
    // Santo Domingo, Samborondón and Durán (the offices table has them right) ...
    std::vector<std::string> table_wrong = {"01D01", "01D02", "01D03", "01D04", "01D05", "01D06", "01D07", "01D08",
                                            "03D01", "03D02", "03D03", "18D01", "18D02", "18D03", "18D04", "18D05",
                                            "18D06", "23D01", "23D02", "23D03", "09D23", "09D24"};
    for (const auto& d : table_wrong) {
        EXPECT_TRUE(lost[d].count("the codification table")) << d;
        EXPECT_FALSE(lost[d].count("the district offices table")) << d;
    }
    // ... and both tables lost for 17D10-17D12 (Pichincha outside Quito is zone 2).
    for (const char* d : {"17D10", "17D11", "17D12"})
        EXPECT_EQ(lost[d], (std::set<std::string>{"the codification table", "the district offices table"})) << d;
    EXPECT_EQ(lost.size(), table_wrong.size() + 3);
    std::size_t undetermined = 0;
    for (const finding& f : national().r.report.items) undetermined += f.rule == "zones.legal_undetermined";
    EXPECT_EQ(undetermined, 0u);
}

TEST(RealDataZones, EachZoneIsOneTerritoryIslandsAside) {
    MICROPLAN_NEED_ECUADOR_DATA();
    const built& b = national();
    EXPECT_EQ(b.r.zones.units.size(), 9u);
    validation_options vo;
    vo.threads = 2;
    vo.split_allowed = legally_split(b.in.legal_zones);
    // Guayas and Pichincha by law; Esmeraldas as the 2012 cartography draws it, with La Concordia.
    EXPECT_EQ(vo.split_allowed, (std::set<std::string>{"08", "09", "17"}));
    validation_report v = validate({&b.r.zones, &b.in.provinces, &b.in.cantons}, vo);
    for (const finding& f : v.report.items) {
        EXPECT_NE(f.rule, "territory.not_contiguous") << f.to_text();
        EXPECT_NE(f.rule, "hierarchy.split_across_zones") << f.to_text();
    }
    // The build's own check said the same.
    for (const finding& f : b.r.report.items) {
        if (f.lvl == level::zone) {
            EXPECT_NE(f.rule, "territory.not_contiguous") << f.to_text();
        }
    }
    // Without the declared exceptions, the three are warned about.
    vo.split_allowed.clear();
    std::set<std::string> warned;
    for (const finding& f : validate({&b.r.zones, &b.in.provinces}, vo).report.items)
        if (f.rule == "hierarchy.split_across_zones") warned.insert(f.code);
    EXPECT_EQ(warned, (std::set<std::string>{"08", "09", "17"}));
}
