// Providers and by-code placement levels in the store: a store whose establishments carry
// neither keeps the schema it always had (the demo store stays byte-identical), one that
// carries them gains the columns, and a store written before them reads as "unknown
// provider". Coverage counts public establishments (and those of unknown provider) unless
// private ones are asked for.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "../../support.hpp"
#include "microplan/geo/demo/demo_country.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/store/planning_store.hpp"

using namespace microplan::geo;
using namespace microplan::test;

namespace {

void write_levels(const std::string& path) {
    demo::country_options o;
    demo::country c = demo::generate_country(o);
    store::update_atomically(path, [&](store::planning_store& db) {
        db.ensure_schema(o.analysis_crs);
        for (const unit_layer* l : {&c.zones, &c.districts, &c.circuits})
            db.write_level(*l, {.lvl = l->lvl, .source = "test"}, {});
    });
}

establishment school(const char* id, const char* provider, const char* source) {
    establishment e;
    e.id = id;
    e.sector = "education";
    e.provider = provider;
    e.provider_source = source;
    return e;
}

bool has_column(const std::string& path, const char* column) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('establishments') WHERE name = ?", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, column, -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found;
}

}  // namespace

TEST(EstablishmentProvider, ColumnsAppearOnlyWhenAWriteCarriesThem) {
    scratch dir;
    std::string path = dir.path("p.sqlite");
    write_levels(path);
    establishment plain;
    plain.id = "H1";
    plain.sector = "health";
    point_assignment a;
    store::update_atomically(path, [&](store::planning_store& db) {
        db.write_establishments(std::vector{plain}, std::vector{a}, {.lvl = level::circuit, .source = "t"}, {},
                                store::establishment_write_mode::append);
    });
    EXPECT_FALSE(has_column(path, "provider"));  // the schema of stores without providers (the demo's)
    auto before = store::open_store(path, store::open_mode::read_only)->read_establishments();
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(before[0].attributes.provider, "");  // unknown: counted as public
    EXPECT_EQ(before[0].placement_level, "");

    point_assignment by_code;
    by_code.where = placement::by_code;
    by_code.reached = level::district;
    by_code.codes[static_cast<std::size_t>(level::district)] = "01D01";
    store::update_atomically(path, [&](store::planning_store& db) {
        db.write_establishments(std::vector{school("A", "private", "PARTICULAR"), school("B", "public", "FISCAL")},
                                std::vector{by_code, a}, {.lvl = level::circuit, .source = "t"}, {},
                                store::establishment_write_mode::append);
    });
    EXPECT_TRUE(has_column(path, "provider"));
    auto after = store::open_store(path, store::open_mode::read_only)->read_establishments();
    ASSERT_EQ(after.size(), 3u);
    EXPECT_EQ(after[0].attributes.provider, "");  // the older row
    EXPECT_EQ(after[1].attributes.provider, "private");
    EXPECT_EQ(after[1].attributes.provider_source, "PARTICULAR");
    EXPECT_EQ(after[1].placement, "by_code");
    EXPECT_EQ(after[1].placement_level, "district");
    EXPECT_EQ(after[1].code(level::district), "01D01");
    EXPECT_EQ(after[2].attributes.provider, "public");
    EXPECT_EQ(after[2].placement_level, "");
}

TEST(EstablishmentProvider, PrivateOfferCountsOnlyWhenAsked) {
    territory t({level::district}, {{{"D1", "D", "", 1}}});
    standards_catalogue c;
    standard s;
    s.sector = "education";
    s.typology = "*";
    s.lvl = level::district;
    s.people_per_unit = 10;
    c.items = {s};
    std::vector<population_values> people(1);
    people[0]["total"] = {{"D1", 100}};
    std::vector<placed_establishment> rows;
    for (const char* p : {"public", "private", ""}) {
        placed_establishment e;
        e.id = p;
        e.sector = "education";
        e.provider = p;
        e.units = {0};
        rows.push_back(e);
    }
    coverage_model public_only(c, t, people);
    public_only.set_establishments(rows);
    EXPECT_EQ(public_only.at(0, 0, 0).current, 2);  // public and unknown
    coverage_options o;
    o.include_private = true;
    coverage_model all(c, t, people, {}, o);
    all.set_establishments(rows);
    EXPECT_EQ(all.at(0, 0, 0).current, 3);
}

TEST(EstablishmentProvider, ProvidersAndConditionsFromWhatRegistriesWrite) {
    EXPECT_EQ(canonical_provider("FISCAL"), "public");
    EXPECT_EQ(canonical_provider("Fiscomisional"), "public");
    EXPECT_EQ(canonical_provider("MUNICIPAL"), "public");
    EXPECT_EQ(canonical_provider("PARTICULAR"), "private");
    EXPECT_FALSE(canonical_provider("S/I"));
    EXPECT_EQ(canonical_condition("DETERIORO"), "poor");
    EXPECT_EQ(canonical_condition("REGULAR"), "fair");
    EXPECT_FALSE(canonical_condition("S/I"));
}
