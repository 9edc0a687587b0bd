// History (issue 20, item 3): establishments and projects carry dates, and the offer can be
// counted as of a date; the demo's ILLUSTRATIVE portfolio ties projects to the gaps they close.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "demo_store.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/model/dates.hpp"
#include "microplan/geo/planning/observations.hpp"
#include "microplan/geo/store/planning_inputs.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/usecases/establishments.hpp"
#include "microplan/geo/usecases/planning.hpp"
#include "microplan/geo/usecases/projects.hpp"
#include "microplan/geo/usecases/standards.hpp"
#include "support.hpp"

using namespace microplan;
using namespace microplan::test;

namespace {

TEST(Dates, AreReadAsPlannersWriteThem) {
    EXPECT_EQ(geo::parse_date("2026-03-15"), "2026-03-15");
    EXPECT_EQ(geo::parse_date("2026-03"), "2026-03");
    EXPECT_EQ(geo::parse_date("2026/03/15"), "2026-03-15");           // GDAL's date fields
    EXPECT_EQ(geo::parse_date("15/03/2026"), "2026-03-15");           // day first
    EXPECT_EQ(geo::parse_date("2026-03-15T10:30:00"), "2026-03-15");  // a date-time's date
    EXPECT_EQ(geo::parse_date("2024-02-29"), "2024-02-29");
    for (const char* bad : {"2025-02-29", "2025-13", "25-01-01", "2025-1-01", "03/15/2026", "nunca", "", "1700-01-01"})
        EXPECT_FALSE(geo::parse_date(bad)) << bad;
    EXPECT_TRUE(geo::on_or_before("2026-03", "2026-03-01"));
    EXPECT_FALSE(geo::on_or_before("2026-03-02", "2026-03"));
    EXPECT_FALSE(geo::on_or_before("", "2026-03-01"));  // an unknown date is not before anything
    EXPECT_EQ(geo::date_year("2026-03-15"), 2026);
}

// The security offer of circuit 08D03C01 as of a date ("" = as registered).
double security_offer(const std::string& store, const std::string& as_of) {
    auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
    auto in = geo::store::read_planning_inputs(*db, {}, {}, as_of);
    geo::coverage_model m = geo::usecases::make_model(in);
    return m.sector_offer("security", 2, *in.where.find(2, "08D03C01")).current;
}

TEST(UsecaseHistory, CoverageAsOfADateCountsWhatWasOpenThen) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    // The example's finished UPC (P-2024-017, 08D03C01) ended in 2024-12.
    geo::usecases::import_projects(store, std::string(MICROPLAN_DATA_DIR) + "/projects/demo_example.csv");
    const double now = security_offer(store, "");
    EXPECT_EQ(security_offer(store, "2024-11-30"), now - 1);
    EXPECT_EQ(security_offer(store, "2024-12-01"), now);
    // Two UPCs of the registry in the same circuit: one open from 10 May 2023 to 30 June 2024,
    // one opened in March 2024 whose closing date cannot be read (a warning; it stays open).
    geo::usecases::establishment_import_request request;
    request.store = store;
    request.source.path = dir.write("upc.csv",
                                    "id,name,sector,typology,lon,lat,opened,closed\n"
                                    "U1,UPC vieja,security,UPC,-78.571815,-0.156266,10/05/2023,30/06/2024\n"
                                    "U2,UPC nueva,security,UPC,-78.571815,-0.156266,2024-03,nunca\n");
    request.append = true;
    auto placed = geo::usecases::import_establishments(request);
    bool warned = false;
    for (const auto& f : placed.report.items)
        if (f.rule == "establishment.bad_date" && f.message.find("'nunca'") != std::string::npos) warned = true;
    EXPECT_TRUE(warned);
    // B (the registry before) + 1 (the UPC project): now. Closed today: U1; open: U2.
    EXPECT_EQ(security_offer(store, ""), now + 1);
    EXPECT_EQ(security_offer(store, "2023-01-01"), now - 1);      // neither UPC nor the project
    EXPECT_EQ(security_offer(store, "2024-01-01"), now);          // U1
    EXPECT_EQ(security_offer(store, "2024-06-30"), now - 1 + 1);  // U2 (U1 closed that day)
    EXPECT_EQ(security_offer(store, "2024-12-15"), now + 1);      // U2 and the project
    // The dates are kept in the store as read.
    std::map<std::string, std::pair<std::string, std::string>> dates;
    for (const auto& s : geo::store::open_store(store, geo::store::open_mode::read_only)->read_establishments())
        if (s.attributes.id == "U1" || s.attributes.id == "U2")
            dates[s.attributes.id] = {s.attributes.opened, s.attributes.closed};
    EXPECT_EQ(dates["U1"], std::make_pair(std::string("2023-05-10"), std::string("2024-06-30")));
    EXPECT_EQ(dates["U2"], std::make_pair(std::string("2024-03"), std::string()));
    // As of a date that is not one: a clear error.
    geo::usecases::planning_request bad;
    bad.store = store;
    bad.as_of = "31/02/2024";
    EXPECT_THROW(geo::usecases::open_planning(bad), geo::format_error);
}

TEST(Dates, PeriodsAreKnownFromTheirStartAndMonthsEnd) {
    EXPECT_TRUE(geo::period_known("", "1900-01-01"));  // a value of no date: always
    EXPECT_TRUE(geo::period_known("2022", "2022-01-01"));
    EXPECT_FALSE(geo::period_known("2022", "2021-12-31"));
    EXPECT_TRUE(geo::period_known("2024-06", "2024-06"));
    EXPECT_FALSE(geo::period_known("2024-06", "2024-05-31"));
    EXPECT_FALSE(geo::period_known("2024-06-30", "2024-06-29"));
    EXPECT_EQ(geo::month_end(2024, 2), "2024-02-29");
    EXPECT_EQ(geo::month_end(2025, 2), "2025-02-28");
    EXPECT_EQ(geo::month_end(2100, 2), "2100-02-28");
    EXPECT_EQ(geo::month_end(2026, 12), "2026-12-31");
    EXPECT_EQ(geo::month_end(2026, 4), "2026-04-30");
    EXPECT_EQ(geo::parse_month("2026-03"), std::pair(2026, 3));
    EXPECT_EQ(geo::parse_month("03/2026"), std::pair(2026, 3));
    EXPECT_FALSE(geo::parse_month("2026-03-01"));
    EXPECT_FALSE(geo::parse_month("2026-13"));
}

// The attribute `name` of circuit 01D01C01 as of a date ("" = the latest).
std::optional<double> circuit_attribute(const std::string& store, const std::string& name, const std::string& as_of) {
    auto attrs =
        geo::store::open_store(store, geo::store::open_mode::read_only)->read_attributes(geo::level::circuit, as_of);
    if (!attrs.count(name) || !attrs.at(name).count("01D01C01")) return std::nullopt;
    return attrs.at(name).at("01D01C01");
}

// A request for attribute `name` of the circuits, its values in field `n` (file set by the caller).
geo::usecases::attribute_request circuit_attribute_request(const std::string& store, const std::string& name) {
    geo::usecases::attribute_request request;
    request.store = store;
    request.name = name;
    request.table.lvl = geo::level::circuit;
    request.table.value_field = "n";
    return request;
}

TEST(UnitAttributes, CarryPeriodsAndAreCountedAsOfADate) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    // The demo's households connected to water: 2025's, and a census of 2022 with 10 % fewer.
    const double now = *circuit_attribute(store, "water_connected", "");
    EXPECT_EQ(circuit_attribute(store, "water_connected", "2025-01-01"), now);
    EXPECT_NEAR(*circuit_attribute(store, "water_connected", "2024-12-31"), now * 0.9, 0.51);
    EXPECT_FALSE(circuit_attribute(store, "water_connected", "2021-12-31"));  // nothing known yet
    // So the water coverage as of 2024 is the census's.
    auto water = [&](const std::string& as_of) {
        auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
        auto in = geo::store::read_planning_inputs(*db, {}, {}, as_of);
        geo::coverage_model m = geo::usecases::make_model(in);
        return m.sector_offer("water", 2, *in.where.find(2, "01D01C01")).current;
    };
    EXPECT_EQ(water(""), now);
    EXPECT_NEAR(water("2024-06-30"), now * 0.9, 0.51);
    // An attribute imported for two periods, then one of them again: the other is kept.
    geo::usecases::attribute_request request = circuit_attribute_request(store, "clinics_staffed");
    request.table.path = dir.write("a.csv", "code,n\n01D01C01,3\n");
    request.period = "2023";
    EXPECT_EQ(geo::usecases::import_attribute(request).period, "2023");
    request.table.path = dir.write("b.csv", "code,n\n01D01C01,5\n");
    request.period = "06/2024";  // a month as Ecuador writes it
    EXPECT_EQ(geo::usecases::import_attribute(request).period, "2024-06");
    request.table.path = dir.write("c.csv", "code,n\n01D01C01,4\n");
    request.period = "2023";
    geo::usecases::import_attribute(request);
    EXPECT_EQ(circuit_attribute(store, "clinics_staffed", "2022-12-31"), std::nullopt);
    EXPECT_EQ(circuit_attribute(store, "clinics_staffed", "2024-05-31"), 4);
    EXPECT_EQ(circuit_attribute(store, "clinics_staffed", "2024-06-01"), 5);
    EXPECT_EQ(circuit_attribute(store, "clinics_staffed", ""), 5);
    // A period that is not one: refused before anything is written.
    const std::string before = read_bytes(store);
    request.period = "junio";
    try {
        geo::usecases::import_attribute(request);
        ADD_FAILURE() << "a bad period was accepted";
    } catch (const geo::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("--period 'junio' is not a year"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_bytes(store), before);
}

TEST(UnitAttributes, AnOlderStoresTableIsCarriedOverWhenADatedValueArrives) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    // As stores before periods wrote it: (level, code, name) the key.
    auto made = run("sqlite3 " + store +
                    " \"DROP TABLE unit_attributes; CREATE TABLE unit_attributes (level TEXT NOT NULL, code TEXT NOT "
                    "NULL, name TEXT NOT NULL, value REAL NOT NULL, source TEXT, PRIMARY KEY (level, code, name));"
                    " INSERT INTO unit_attributes VALUES ('circuit', '01D01C01', 'poverty', 40, 'old')\"");
    ASSERT_EQ(made.exit_code, 0) << made.output;
    EXPECT_EQ(circuit_attribute(store, "poverty", ""), 40);
    EXPECT_EQ(circuit_attribute(store, "poverty", "2000-01-01"), 40);
    // An undated import keeps the old table as it was; a dated one moves it over, values undated.
    geo::usecases::attribute_request request = circuit_attribute_request(store, "poverty");
    request.table.path = dir.write("a.csv", "code,n\n01D01C01,41\n");
    geo::usecases::import_attribute(request);
    EXPECT_EQ(run("sqlite3 " + store + " \"SELECT COUNT(*) FROM pragma_table_info('unit_attributes')\"").output, "5\n");
    request.table.path = dir.write("b.csv", "code,n\n01D01C01,35\n");
    request.period = "2022";
    geo::usecases::import_attribute(request);
    EXPECT_EQ(circuit_attribute(store, "poverty", "2021-06-30"), 41);
    EXPECT_EQ(circuit_attribute(store, "poverty", ""), 35);
    EXPECT_EQ(run("sqlite3 " + store + " \"SELECT pk FROM pragma_table_info('unit_attributes') WHERE name = 'period'\"")
                  .output,
              "4\n");
}

TEST(DemoPortfolio, TiesProjectsToTheGapsWithTwoYearsOfExecution) {
    const std::string& store = demo_store::get().store();
    auto db = geo::store::open_store(store, geo::store::open_mode::read_only);
    const auto projects = db->read_projects();
    const auto registry = db->read_establishments();
    ASSERT_GE(projects.size(), 200u);
    ASSERT_LE(projects.size(), 400u);
    std::map<geo::project_status, std::size_t> by_status;
    std::set<std::string> kinds, registry_ids, codes;
    for (const auto& e : registry) registry_ids.insert(e.attributes.sector + "/" + e.attributes.id);
    std::size_t finished = 0;
    for (const auto& row : projects) {
        const geo::project& p = row.attributes;
        ++by_status[p.status];
        kinds.insert(std::string(geo::kind_name(p.kind)));
        codes.insert(p.code);
        EXPECT_FALSE(row.zone_code.empty()) << p.code;
        EXPECT_TRUE(p.lon && p.lat) << p.code;
        EXPECT_GT(p.investment, 0) << p.code;
        EXPECT_NEAR(p.financing(), p.investment, 1) << p.code;
        EXPECT_TRUE(geo::parse_date(p.start) && geo::parse_date(p.end)) << p.code;
        if (p.status == geo::project_status::finished) {
            ++finished;
            // Each names the establishment of the registry it built.
            EXPECT_TRUE(registry_ids.count(p.sector + "/" + p.establishment)) << p.code;
        }
    }
    for (auto s : {geo::project_status::planned, geo::project_status::funded, geo::project_status::in_execution,
                   geo::project_status::finished})
        EXPECT_GT(by_status[s], 0u) << geo::status_name(s);
    EXPECT_TRUE(kinds.count("new_establishment"));
    EXPECT_TRUE(kinds.count("network_extension"));
    // Two years of monthly execution, in the usual order of amounts.
    std::set<int> months;
    for (const auto& r : db->read_execution()) {
        months.insert(r.year * 12 + r.month - 1);
        EXPECT_TRUE(codes.count(r.project_code)) << r.project_code;
        EXPECT_LE(r.paid, r.accrued);
        EXPECT_LE(r.accrued, r.committed);
        EXPECT_LE(r.committed, r.codified);
    }
    ASSERT_EQ(months.size(), 24u);
    EXPECT_EQ(*months.begin(), 2025 * 12);
    EXPECT_EQ(*months.rbegin(), 2026 * 12 + 11);
    // Finished projects are registry establishments: not counted twice; before they opened,
    // not counted at all.
    EXPECT_EQ(geo::store::read_planning_inputs(*db).establishments.size(), registry.size());
    EXPECT_EQ(geo::store::read_planning_inputs(*db, {}, {}, "2024-12-31").establishments.size(),
              registry.size() - finished);
}

TEST(Observations, AreReadWithEveryBadRowReported) {
    scratch dir;
    const std::string good = dir.write("obs.csv",
                                       "indicador,sector,nivel,codigo,periodo,valor,nota\n"
                                       "Cobertura agua,Agua potable,distrito,01D01,03/2026,71.5,catastro\n"
                                       "tasa_desnutricion,,nacional,,2025,23.0,ENSANUT\n");
    auto t = geo::read_observations(good, geo::builtin_sectors());
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].indicator, "cobertura_agua");
    EXPECT_EQ(t.rows[0].sector, "water");
    EXPECT_EQ(t.rows[0].period, "2026-03");
    EXPECT_EQ(t.rows[1].lvl, geo::level::nation);
    EXPECT_EQ(t.rows[1].period, "2025");
    const std::string bad = dir.write("bad.csv",
                                      "indicator,sector,level,code,period,value\n"
                                      "x,magic,district,01D01,2025,1\n"
                                      "x,,district,,2025,1\n"
                                      "x,,district,01D01,2025-13,1\n"
                                      "x,,district,01D02,2025,uno\n"
                                      "y,,district,01D01,2025,1\n"
                                      "y,,district,01D01,2025,2\n");
    std::string what;
    try {
        geo::read_observations(bad, geo::builtin_sectors());
    } catch (const geo::format_error& e) {
        what = e.what();
    }
    for (const char* expected : {"line 2, column sector: 'magic' is not a sector", "line 3, column code:",
                                 "line 4, column period: '2025-13'", "line 5, column value: 'uno' is not a number",
                                 "line 7, column period: y of 01D01 in 2025 is already on line 6"})
        EXPECT_NE(what.find(expected), std::string::npos) << expected << "\n" << what;
}

TEST(Observations, AreNeverOverwrittenAndMeasureObservedTargets) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    demo_store::get().copy_to(store);
    // Water coverage (%) observed in two districts: 01D01 rises 6 points a year, 01D02 barely moves.
    geo::usecases::import_observations(store, dir.write("obs.csv",
                                                        "indicator,sector,level,code,period,value\n"
                                                        "water_coverage,water,district,01D01,2023,64\n"
                                                        "water_coverage,water,district,01D01,2024,70\n"
                                                        "water_coverage,water,district,01D02,2023,64\n"
                                                        "water_coverage,water,district,01D02,2024,64.5\n"));
    // A correction of 2024 and the 2025 values: a new revision; the first is kept.
    geo::usecases::import_observations(store, dir.write("obs2.csv",
                                                        "indicator,sector,level,code,period,value\n"
                                                        "water_coverage,water,district,01D01,2024,70\n"
                                                        "water_coverage,water,district,01D01,2025,76\n"
                                                        "water_coverage,water,district,01D02,2024,65\n"));
    // (beside the demo's own observed values of another indicator)
    auto water = [](std::vector<geo::store::stored_observation> rows) {
        std::erase_if(rows, [](const auto& r) { return r.attributes.indicator != "water_coverage"; });
        return rows;
    };
    auto latest = water(geo::usecases::read_observations(store));
    auto every = water(geo::usecases::read_observations(store, true));
    EXPECT_EQ(latest.size(), 5u);
    EXPECT_EQ(every.size(), 7u);
    for (const auto& r : latest) {
        if (r.attributes.code == "01D02" && r.attributes.period == "2024") {
            EXPECT_EQ(r.attributes.value, 65);
        }
    }
    // A unit the store does not have: refused, nothing written.
    const std::string before = read_bytes(store);
    EXPECT_THROW(geo::usecases::import_observations(store, dir.write("bad.csv",
                                                                     "indicator,level,code,period,value\n"
                                                                     "water_coverage,district,99D99,2025,1\n")),
                 geo::format_error);
    EXPECT_EQ(read_bytes(store), before);
    // Targets measured by observed values: 100 % by 2030.
    const std::string targets = dir.write("targets.csv",
                                          "indicator,sector,level,code,year,target,source\n"
                                          "water_coverage,water,district,01D01,2030,100,observed\n"
                                          "water_coverage,water,district,01D02,2030,100,observado\n"
                                          "water_coverage,water,district,01D03,2030,100,observed\n");
    geo::usecases::planning_request request;
    request.store = store;
    auto r = geo::usecases::evaluate_indicators(request, {}, targets);
    ASSERT_EQ(r.targets.size(), 3u);
    // 01D01: 64 -> 76 of 100 is (76 - 64) / (100 - 64) = 33.3 %; its line (6 a year) reaches 100
    // by the end of 2030: at risk.
    EXPECT_EQ(r.targets[0].status, "at_risk");
    EXPECT_EQ(r.targets[0].baseline, 76);
    ASSERT_TRUE(r.targets[0].achievement);
    EXPECT_NEAR(*r.targets[0].achievement, 100.0 * 12 / 36, 1e-9);
    ASSERT_TRUE(r.targets[0].at_target_year);
    EXPECT_NEAR(*r.targets[0].at_target_year, 70 + 6 * (2030 + 11.0 / 12 - 2024), 1e-6);
    EXPECT_EQ(r.targets[0].light, "red");
    // 01D02: 64 -> 65, a line that never reaches 100: not met. 01D03: nothing observed.
    EXPECT_EQ(r.targets[1].status, "not_met");
    EXPECT_EQ(r.targets[2].status, "no_data");
}

TEST(RatioIndicators, DivideStoredMeasuresAndReproduceTheBuiltInOnes) {
    scratch dir;
    geo::usecases::planning_request request;
    request.store = demo_store::get().store();
    // Health establishments per 10,000 people as a ratio, beside the built-in indicator; and the
    // share of households connected to water from the two stored attributes.
    const std::string targets =
        dir.write("t.csv",
                  "indicator,sector,level,code,year,target,numerator,denominator,scale\n"
                  "health_per_10k,health,district,01D01,2030,2,current:health,population,10000\n"
                  "establishments_per_10k,health,district,01D01,2030,2,,,\n"
                  "water_connection_pct,,circuit,01D01C01,2030,80,attribute:water_connected,"
                  "attribute:water_households,100\n");
    auto r = geo::usecases::evaluate_indicators(request, {}, targets);
    ASSERT_EQ(r.targets.size(), 3u);
    EXPECT_DOUBLE_EQ(r.targets[0].baseline, r.targets[1].baseline);
    ASSERT_TRUE(r.targets[0].at_target_year && r.targets[1].at_target_year);
    EXPECT_NEAR(*r.targets[0].at_target_year, *r.targets[1].at_target_year, 1e-9);
    EXPECT_EQ(r.targets[0].status, r.targets[1].status);
    // By hand from the stored attributes.
    auto db = geo::store::open_store(request.store, geo::store::open_mode::read_only);
    const auto attrs = db->read_attributes(geo::level::circuit);
    const double expected =
        100 * attrs.at("water_connected").at("01D01C01") / attrs.at("water_households").at("01D01C01");
    EXPECT_NEAR(r.targets[2].baseline, expected, 1e-9);
    EXPECT_EQ(r.targets[2].status, expected >= 80 ? "met" : "not_met");  // attributes do not move with the plan
    // Bad measures and scales are refused with their row and column.
    const std::string bad = dir.write("bad.csv",
                                      "indicator,sector,level,code,year,target,numerator,denominator,scale\n"
                                      "x,,district,,2030,1,magic:y,population,1\n"
                                      "y,,district,,2030,1,population,attribute:,-2\n");
    std::string what;
    try {
        geo::read_targets(bad);
    } catch (const geo::format_error& e) {
        what = e.what();
    }
    EXPECT_NE(what.find("line 2, column numerator: 'magic:y' is not a measure"), std::string::npos) << what;
    EXPECT_NE(what.find("line 3, column denominator: 'attribute:' is not a measure"), std::string::npos) << what;
    EXPECT_NE(what.find("line 3, column scale: '-2' is not a positive number"), std::string::npos) << what;
}

}  // namespace
