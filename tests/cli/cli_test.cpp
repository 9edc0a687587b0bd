// The microplan binary as users run it: help, exit codes, one-line reasons.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../support.hpp"

using namespace microplan::test;

TEST(Cli, EverySubcommandHasHelp) {
    for (const char* sub : {"import",
                            "import establishments",
                            "assign",
                            "population table",
                            "population raster",
                            "population allocate",
                            "population project",
                            "build",
                            "validate",
                            "demo",
                            "standards import",
                            "standards check",
                            "sectors import",
                            "sectors check",
                            "projects import",
                            "execution import",
                            "budget import",
                            "budget check",
                            "attributes",
                            "coverage",
                            "report district",
                            "report ranking",
                            "plan",
                            "indicators",
                            "serve",
                            "access cost",
                            "access friction",
                            "access travel-time",
                            "access distance",
                            "access network",
                            "access capacity",
                            "access sites",
                            "design",
                            "design evaluate",
                            "design compare",
                            "design assignment export",
                            "design assignment build",
                            "build-ecuador"}) {
        auto r = run(microplan_cmd(std::string(sub) + " --help"));
        EXPECT_EQ(r.exit_code, 0) << sub;
        EXPECT_NE(r.output.find("Usage"), std::string::npos) << sub << ": " << r.output;
    }
}

TEST(Cli, ServeListensPrintsItsUrlsAndStopsOnSigterm) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    // Waits (up to 60 s, for loaded machines) until it serves, then stops it with SIGTERM.
    auto r = run("(" + microplan_cmd("serve " + store + " --port 0 --access-log off") + " > " + dir.path("log") +
                 " 2>&1 & pid=$!; for i in $(seq 600); do grep -q 'microplan serving' " + dir.path("log") +
                 " && break; sleep 0.1; done; kill -TERM $pid; wait $pid; echo exit=$?; cat " + dir.path("log") + ")");
    EXPECT_NE(r.output.find("microplan serving http://127.0.0.1:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("/styles/microplan.json"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("stopped"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("exit=0"), std::string::npos) << r.output;
    auto bad = run(microplan_cmd("serve " + store + " --bind not-an-address"));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("cannot listen on 'not-an-address'"), std::string::npos) << bad.output;
}

TEST(Cli, NoSubcommandIsAUsageError) {
    auto r = run(microplan_cmd(""));
    EXPECT_NE(r.exit_code, 0);
}

TEST(Cli, BadInputGivesOneLineReasonAndExit2) {
    scratch dir;
    auto r = run(microplan_cmd("import /nonexistent.gpkg --store " + dir.path("s.sqlite") + " --level parish"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("microplan: file '/nonexistent.gpkg': file not found"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir.path("s.sqlite")));
}

TEST(Cli, SectorsAreCheckedAndPutInForce) {
    scratch dir;
    const std::string table = std::string(MICROPLAN_DATA_DIR) + "/sectors/ecuador.csv";
    auto check = run(microplan_cmd("sectors check " + table));
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("11 sectors: health (Salud, establishment, nation/zone/district/circuit)"),
              std::string::npos)
        << check.output;
    EXPECT_NE(check.output.find("water (Agua potable, network"), std::string::npos) << check.output;
    std::string bad = dir.write("bad.csv", "sector,label_es,kind,levels\nhealth,Salud,pipes,zone\n");
    auto refused = run(microplan_cmd("sectors check " + bad));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("line 2, column kind: 'pipes' is not establishment or network"), std::string::npos)
        << refused.output;
}

TEST(Cli, DemoThenValidateIsClean) {
    scratch dir;
    auto demo = run(microplan_cmd("demo --out " + dir.path("demo.sqlite")));
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    EXPECT_NE(demo.output.find("9 zones, 140 districts, 1134 circuits"), std::string::npos) << demo.output;
    auto v = run(microplan_cmd("validate " + dir.path("demo.sqlite")));
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_NE(v.output.find("0 error(s), 0 warning(s)"), std::string::npos) << v.output;
    auto j = run(microplan_cmd("validate --json " + dir.path("demo.sqlite")));
    EXPECT_NE(j.output.find("\"valid\": true"), std::string::npos) << j.output;
}

TEST(Cli, ValidationErrorsExitWith1) {
    scratch dir;
    std::string store = dir.path("s.sqlite");
    std::string sq = "[[-79.0,-1.0],[-78.9,-1.0],[-78.9,-0.9],[-79.0,-0.9],[-79.0,-1.0]]";
    std::string d = dir.write("d.geojson", feature_collection(polygon_feature(R"({"code":"17D06"})", sq)));
    std::string c = dir.write("c.geojson", feature_collection(polygon_feature(R"({"code":"17D07C01"})", sq)));
    ASSERT_EQ(run(microplan_cmd("import " + d + " -s " + store + " -l district")).exit_code, 0);
    ASSERT_EQ(run(microplan_cmd("import " + c + " -s " + store + " -l circuit")).exit_code, 0);
    auto v = run(microplan_cmd("validate " + store));
    EXPECT_EQ(v.exit_code, 1) << v.output;
    EXPECT_NE(v.output.find("error [hierarchy.parent_missing] circuit 17D07C01"), std::string::npos) << v.output;
}

TEST(Cli, EstablishmentsAndPopulationOnTheDemoStore) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    EXPECT_TRUE(std::filesystem::exists(dir.path("demo_population.tif")));
    // The demo's establishments are all inside a circuit.
    auto a = run(microplan_cmd("assign --json " + store));
    ASSERT_EQ(a.exit_code, 0) << a.output;
    auto j = nlohmann::json::parse(a.output.substr(a.output.find('{')));
    EXPECT_EQ(j["summary"]["outside"], 0);
    EXPECT_GT(j["summary"]["inside"].get<int>(), 5000);
    // A planner's CSV: semicolons, decimal commas, one point in the sea, one swapped.
    std::string csv = dir.write("upc.csv",
                                "codigo;nombre;tipologia;longitud;latitud\n"
                                "U1;UPC Centro;UPC;-78,5;-1,3\n"
                                "U2;UPC Mar;UPC;-85,0;-1,3\n"
                                "U3;UPC Volteada;UPC;-1,3;-78,5\n");
    // Three rows for the whole security sector: refused unless --replace says so (BAD_INPUTS.md).
    auto refused = run(microplan_cmd("import establishments " + csv + " --store " + store + " --sector seguridad"));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("replacement refused: security establishments"), std::string::npos) << refused.output;
    auto imp = run(
        microplan_cmd("import establishments " + csv + " --store " + store + " --sector seguridad --replace --json"));
    ASSERT_EQ(imp.exit_code, 0) << imp.output;
    auto ji = nlohmann::json::parse(imp.output.substr(imp.output.find('{')));
    EXPECT_EQ(ji["replaced"][0]["what"], "security establishments");
    EXPECT_EQ(ji["replaced"][0]["after"], 3);
    EXPECT_EQ(ji["replaced"][0]["forced"], true);
    EXPECT_EQ(ji["summary"]["rows"], 3);
    EXPECT_EQ(ji["summary"]["swapped"], 1);
    EXPECT_EQ(ji["summary"]["outside"], 2);
    // The security sector was replaced; the other sectors stay.
    auto ogr = run("ogrinfo -q -sql \"SELECT sector, count(*) AS n FROM establishments GROUP BY sector\" " + store);
    EXPECT_NE(ogr.output.find("security"), std::string::npos) << ogr.output;
    EXPECT_NE(ogr.output.find("n (Integer) = 3"), std::string::npos) << ogr.output;
    EXPECT_NE(ogr.output.find("health"), std::string::npos) << ogr.output;
    // Rasters and allocation through the CLI.
    auto r = run(microplan_cmd("population raster " + dir.path("demo_population.tif") + " --store " + store +
                               " --year 2030 --level circuit --json"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto jr = nlohmann::json::parse(r.output.substr(r.output.find('{')));
    EXPECT_NEAR(jr["totals"]["circuit"].get<double>(), 17e6, 17e6 * 0.002);
    auto al =
        run(microplan_cmd("population allocate --store " + store + " --from district --to circuit --year 2025 --json"));
    ASSERT_EQ(al.exit_code, 0) << al.output;
    auto ja = nlohmann::json::parse(al.output.substr(al.output.find('{')));
    EXPECT_NEAR(ja["allocated_total"].get<double>(), ja["source_total"].get<double>(), 1.0);
    auto bad = run(
        microplan_cmd("population allocate --store " + store + " --from district --to circuit --method dasymetric"));
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.output.find("--raster"), std::string::npos) << bad.output;
}

TEST(Cli, MicroplanningOnTheDemoStore) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);

    // Results go to stdout or --output; progress and findings to stderr.
    auto out = [&](const std::string& args) {
        auto r = run(microplan_cmd(args + " --output " + dir.path("out.txt")));
        EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
        return run_result{r.exit_code, read_bytes(dir.path("out.txt"))};
    };
    auto cov = out("coverage " + store + " --sector salud --level circuit --format csv --save");
    EXPECT_EQ(
        cov.output.rfind("level,code,name,parent,population,sector,sector_label,typology,current,ideal,deficit", 0),
        0u);
    EXPECT_EQ(std::count(cov.output.begin(), cov.output.end(), '\n'), 1 + 1134);
    EXPECT_NE(cov.output.find(",health,Salud,,"), std::string::npos);
    auto rows =
        run("sqlite3 " + store + " \"SELECT COUNT(*) FROM coverage WHERE level = 'district' AND typology = ''\"");
    EXPECT_EQ(rows.output, "980\n");  // 140 districts x 7 sectors (three of them networks)

    auto report = out("report district " + store + " 17D06");
    auto j = nlohmann::json::parse(report.output);
    EXPECT_EQ(j["code"], "17D06");
    EXPECT_EQ(j["sectors"].size(), 7u);
    EXPECT_GT(j["children"].size(), 0u);
    EXPECT_TRUE(j["sectors"][0].contains("closing_year"));
    EXPECT_EQ(j["scenario"], "moderate");

    auto ranking = out("report ranking " + store + " --format csv");
    EXPECT_EQ(std::count(ranking.output.begin(), ranking.output.end(), '\n'), 141);

    auto plan = out("plan " + store + " --scenario pessimistic");
    auto p = nlohmann::json::parse(plan.output);
    EXPECT_EQ(p["first_year"], 2025);
    EXPECT_EQ(p["last_year"], 2035);
    EXPECT_EQ(p["growth"], 0.015);  // data/budget_scenarios/ecuador.csv: GDP growing 1.5 %, 1.5 % of it
    EXPECT_EQ(p["years"][0]["budget_pct_gdp"], 1.5);
    EXPECT_EQ(p["sectors"][0]["trajectory"].size(), 11u);

    // How much closes every gap by 2030; the path written out, given back, closes every sector then.
    std::string path = dir.path("path.csv");
    auto required = out("plan " + store + " --close-by 2030 --until 2031 --budgets-out " + path);
    auto q = nlohmann::json::parse(required.output);
    ASSERT_EQ(q["required"]["sectors"].size(), 7u);
    EXPECT_NE(required.output.find("share_pct_gdp"), std::string::npos);
    auto back = nlohmann::json::parse(out("plan " + store + " --until 2031 --budgets " + path).output);
    for (const auto& s : back["sectors"]) EXPECT_EQ(s["closing_year"], 2030) << s["sector"];
    auto late = run(microplan_cmd("plan " + store + " --close-by 2040 --until 2035"));
    EXPECT_EQ(late.exit_code, 2);
    EXPECT_NE(late.output.find("closing year outside the plan"), std::string::npos) << late.output;

    auto targets = run(microplan_cmd("indicators " + store + " --targets " + std::string(MICROPLAN_DATA_DIR) +
                                     "/targets/demo.csv --format csv"));
    ASSERT_EQ(targets.exit_code, 0) << targets.output;
    EXPECT_NE(targets.output.find("indicator,sector,level,code,name,target_year,target,baseline,at_target_year,status"),
              std::string::npos);
    // Population within the standard's 30 minutes, from the accessibility the demo stored.
    EXPECT_NE(targets.output.find("population_within_minutes,health,circuit,01D01C01,"), std::string::npos)
        << targets.output;
    EXPECT_EQ(targets.output.find("population within minutes needs accessibility results"), std::string::npos);
    // A baseline, a set of units and a target that does not apply; lights at 75 % and 50 %.
    std::string scorecard = dir.write("scorecard.csv",
                                      "indicator,sector,level,code,year,target,direction,baseline,share_of_units,"
                                      "not_applicable\n"
                                      "coverage_pct,health,zone,,2030,100,at_least,10,20,\n"
                                      "coverage_pct,education,zone,Z1,2030,90,,,,sin datos del ministerio\n");
    auto scored = out("indicators " + store + " --targets " + scorecard + " --lights 75,50 --format csv");
    EXPECT_NE(scored.output.find(",achievement_pct,light,units,required,meeting,not_applicable\n"), std::string::npos)
        << scored.output;
    EXPECT_NE(scored.output.find("coverage_pct,health,zone,*,,2030,100,"), std::string::npos) << scored.output;
    EXPECT_NE(scored.output.find(",9,2,"), std::string::npos) << scored.output;  // 20 % of 9 zones: 2
    EXPECT_NE(scored.output.find("not_applicable,at_least,0,,,,,,sin datos del ministerio"), std::string::npos)
        << scored.output;
    auto wrong = run(microplan_cmd("indicators " + store + " --targets " + scorecard + " --lights 50,75"));
    EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
    EXPECT_NE(wrong.output.find("green (50.000000) must be at or above yellow"), std::string::npos) << wrong.output;

    auto unknown = run(microplan_cmd("report district " + store + " 99D99"));
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.output.find("no district has code 99D99"), std::string::npos) << unknown.output;

    std::string bad =
        dir.write("bad.csv", "sector,typology,level,investment_cost,recurrent_cost\nastrology,X,circuit,1,\n");
    std::string before = read_bytes(store);
    auto imp = run(microplan_cmd("standards import " + store + " " + bad));
    EXPECT_EQ(imp.exit_code, 2);
    EXPECT_NE(imp.output.find("unknown sector 'astrology'"), std::string::npos) << imp.output;
    EXPECT_NE(imp.output.find("recurrent cost is missing"), std::string::npos) << imp.output;
    EXPECT_EQ(read_bytes(store), before);  // nothing written
}

// A standard of the national level: the demo's catalogue and one justice standard for the whole
// country (one specialised court per 500,000 people; the demo has none), through the CLI.
TEST(Cli, ANationalStandardIsCountedForTheNationOnly) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    std::string catalogue = read_bytes(std::string(MICROPLAN_DATA_DIR) + "/standards/demo.csv");
    catalogue +=
        "justice,Unidad judicial especializada,nacional,population,500000,,total,,,,2000000,600000,2,ceil,,"
        "ILLUSTRATIVE test row,,,,\n";
    auto imp = run(microplan_cmd("standards import " + store + " " + dir.write("c.csv", catalogue)));
    ASSERT_EQ(imp.exit_code, 0) << imp.output;
    // Results to --output (stderr holds progress and findings).
    auto out = [&](const std::string& args) {
        auto r = run(microplan_cmd(args + " --output " + dir.path("out.txt")));
        EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
        return read_bytes(dir.path("out.txt"));
    };
    run_result nation{0, out("coverage " + store + " --level nation --by-typology --format csv")};
    EXPECT_EQ(std::count(nation.output.begin(), nation.output.end(), '\n'), 1 + 17) << nation.output;
    const auto at = nation.output.find("nation,,,,");
    EXPECT_EQ(at, nation.output.find('\n') + 1) << nation.output;
    const auto court = nation.output.find(",justice,Justicia,Unidad judicial especializada,0,");
    ASSERT_NE(court, std::string::npos) << nation.output;
    auto j = nlohmann::json::parse(out("coverage " + store + " --level nation --sector justice"));
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["level"], "nation");
    EXPECT_EQ(j[0]["current"], 0);
    EXPECT_EQ(j[0]["deficit"], j[0]["ideal"]);
    EXPECT_EQ(j[0]["ideal"], std::ceil(j[0]["population"].get<double>() / 500000));
    EXPECT_EQ(j[0]["investment_cost"], 2000000 * j[0]["deficit"].get<double>());
    // No district has it: justice is planned for the nation.
    auto d = nlohmann::json::parse(out("coverage " + store + " --level district --sector justice"));
    ASSERT_EQ(d.size(), 140u);
    EXPECT_EQ(d[0]["planned_at"], "nation");
    EXPECT_TRUE(d[0]["deficit"].is_null());
    // The plan funds it: its national trajectory falls to 0 with money enough.
    auto plan = nlohmann::json::parse(out("plan " + store + " --close-by 2028 --until 2030"));
    bool found = false;
    for (const auto& s : plan["required"]["sectors"])
        if (s["sector"] == "justice") {
            found = true;
            EXPECT_EQ(s["closing_year"], 2028) << s;
        }
    EXPECT_TRUE(found) << plan["required"].dump().substr(0, 400);
    // Saved coverage keeps the nation's rows.
    ASSERT_EQ(run(microplan_cmd("coverage " + store + " --save")).exit_code, 0);
    auto rows =
        run("sqlite3 " + store +
            " \"SELECT COUNT(*) FROM coverage WHERE level = 'nation' AND sector = 'justice' AND typology = ''\"");
    EXPECT_EQ(rows.output, "1\n");
}

// The investment portfolio from the CLI, served as the OGC API collection `projects` that GDAL's
// OAPIF driver (QGIS's) reads; a bad table exits 2 naming its rows, nothing written.
TEST(Cli, ProjectsAreImportedAndServedToGdal) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    auto imp = run(microplan_cmd("projects import " + store + " " + std::string(MICROPLAN_DATA_DIR) +
                                 "/projects/demo_example.csv"));
    ASSERT_EQ(imp.exit_code, 0) << imp.output;
    EXPECT_NE(imp.output.find("6 projects from"), std::string::npos) << imp.output;
    EXPECT_NE(imp.output.find("3 placed by their point, 3 by their unit"), std::string::npos) << imp.output;
    const std::string before = read_bytes(store);
    auto bad = run(microplan_cmd("projects import " + store + " " +
                                 dir.write("bad.csv", "code,name,sector,unit_code\nQ,Nada,astrology,17D06\n")));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("line 2, column sector: unknown sector 'astrology'"), std::string::npos) << bad.output;
    EXPECT_EQ(read_bytes(store), before);
    // `ogrinfo` runs (with $url) against the store served on a free port, then the server stops.
    auto serving = [&](const std::string& ogrinfo) {
        return run("(" + microplan_cmd("serve " + store + " --port 0 --access-log off") + " > " + dir.path("log") +
                   " 2>&1 & pid=$!; for i in $(seq 600); do grep -q 'microplan serving' " + dir.path("log") +
                   " && break; sleep 0.1; done; url=$(grep -o 'http://127.0.0.1:[0-9]*' " + dir.path("log") +
                   " | head -1); " + ogrinfo + "; kill -TERM $pid; wait $pid)");
    };
    const std::string first = "ogrinfo -ro -al -q OAPIF:$url projects -where \"code = 'P-2025-001'\"";
    auto served = serving(first + "; ogrinfo -ro -so OAPIF:$url projects");
    EXPECT_NE(served.output.find("Feature Count: 6"), std::string::npos) << served.output;
    EXPECT_NE(served.output.find("circuit_code (String) = 01D01C01"), std::string::npos) << served.output;
    EXPECT_NE(served.output.find("status (String) = in_execution"), std::string::npos) << served.output;
    EXPECT_NE(served.output.find("POINT (-80.425073 0.285577)"), std::string::npos) << served.output;
    // Budget execution: the progress as of the latest month, served with the project.
    auto ex = run(microplan_cmd("execution import " + store + " " + std::string(MICROPLAN_DATA_DIR) +
                                "/projects/demo_execution.csv"));
    ASSERT_EQ(ex.exit_code, 0) << ex.output;
    EXPECT_NE(ex.output.find("5 execution rows"), std::string::npos) << ex.output;
    auto unknown = run(microplan_cmd("execution import " + store + " " +
                                     dir.write("x.csv", "project_code,year,month,codified,accrued\nZZ,2025,1,1,1\n")));
    EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
    EXPECT_NE(unknown.output.find("no project of the portfolio has code ZZ"), std::string::npos) << unknown.output;
    auto progress = serving(first +
                            "; python3 -c \"import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1])"
                            ".read().decode())\" \"$url/reports/unit/01D01C01?level=circuit\"");
    // The unit's report lists the projects working there and how far along they are.
    EXPECT_NE(progress.output.find("\"code\":\"P-2025-001\""), std::string::npos) << progress.output;
    EXPECT_NE(progress.output.find("\"financial_progress\":30.0"), std::string::npos) << progress.output;
    auto district = nlohmann::json::parse(
        run(microplan_cmd("report district " + store + " 01D01 --output " + dir.path("r.json"))).exit_code == 0
            ? read_bytes(dir.path("r.json"))
            : std::string("{}"));
    ASSERT_EQ(district["projects"].size(), 1u) << district.dump().substr(0, 300);
    EXPECT_EQ(district["projects"][0]["status"], "in_execution");
    EXPECT_EQ(district["projects"][0]["variance_pct"], -18.75);
    EXPECT_NE(progress.output.find("period (String) = 2026-03"), std::string::npos) << progress.output;
    EXPECT_NE(progress.output.find("financial_progress (Real) = 30"), std::string::npos) << progress.output;
    EXPECT_NE(progress.output.find("variance_pct (Real) = -18.75"), std::string::npos) << progress.output;
}

TEST(Cli, ScorecardsObservationsAndTheOfferAsOfADate) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    // The demo's zones have scorecards: Z1's, as CSV.
    auto card =
        run(microplan_cmd("scorecard " + store + " --level zone --code Z1 -f csv --output " + dir.path("z1.csv")));
    ASSERT_EQ(card.exit_code, 0) << card.output;
    EXPECT_NE(card.output.find("scorecard of zone Z1: 8 objectives"), std::string::npos) << card.output;
    EXPECT_EQ(read_bytes(dir.path("z1.csv")).rfind("level,code,perspective,objective,", 0), 0u);
    // A bad scorecards table is refused whole; the store stays as it was.
    const std::string before = read_bytes(store);
    auto bad = run(microplan_cmd("scorecards import " + store + " " +
                                 dir.write("bad.csv", "level,code,objective,perspective\nzone,Z77,A,beneficiarios\n")));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("no zone of the store has code Z77 [scorecards.unit_unknown]"), std::string::npos)
        << bad.output;
    EXPECT_EQ(read_bytes(store), before);
    // Observed values, then listed with every revision.
    const std::string obs = dir.write("obs.csv", "indicador,nivel,codigo,periodo,valor\ncobertura,zona,Z1,2025,50\n");
    ASSERT_EQ(run(microplan_cmd("observations import " + store + " " + obs)).exit_code, 0);
    ASSERT_EQ(run(microplan_cmd("observations import " + store + " " + obs)).exit_code, 0);
    auto listed = run(microplan_cmd("observations list " + store + " --history --output " + dir.path("obs_out.csv")));
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    // Both revisions (after the demo's own observed values), the later one numbered after the first.
    const std::string history = read_bytes(dir.path("obs_out.csv"));
    const auto first = history.find("cobertura,,zone,Z1,2025,50,");
    ASSERT_NE(first, std::string::npos) << history;
    const auto second = history.find("cobertura,,zone,Z1,2025,50,", first + 1);
    ASSERT_NE(second, std::string::npos) << history;
    EXPECT_LT(std::stol(history.substr(first + 27)), std::stol(history.substr(second + 27)));
    // The offer as of a date before the demo's recent openings is smaller; a date that is not one is refused.
    auto now = run(microplan_cmd("coverage " + store + " --level zone -f csv --output " + dir.path("now.csv")));
    auto then = run(microplan_cmd("coverage " + store + " --level zone -f csv --as-of 2024-12-31 --output " +
                                  dir.path("then.csv")));
    ASSERT_EQ(then.exit_code, 0) << then.output;
    EXPECT_NE(read_bytes(dir.path("now.csv")), read_bytes(dir.path("then.csv")));
    auto wrong = run(microplan_cmd("coverage " + store + " --as-of 2024-02-30"));
    EXPECT_EQ(wrong.exit_code, 2);
    EXPECT_NE(wrong.output.find("--as-of '2024-02-30' is not a date"), std::string::npos) << wrong.output;
}

// The monthly management report of a zone as a page, as CSV and as a PDF that pdftoppm renders.
TEST(Cli, TheManagementReportIsAPageACsvAndAPdf) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    auto html =
        run(microplan_cmd("report management " + store + " Z1 --period 2025-06 --output " + dir.path("z1.html")));
    ASSERT_EQ(html.exit_code, 0) << html.output;
    const std::string page = read_bytes(dir.path("z1.html"));
    EXPECT_NE(page.find("Informe de gestión: metas y objetivos: Zona 1 (Z1)"), std::string::npos);
    EXPECT_NE(page.find("<strong data-testid=\"report-period\">2025-06</strong>"), std::string::npos);
    EXPECT_NE(page.find("Periodicidad: mensual"), std::string::npos);
    EXPECT_NE(page.find("data-objective=\"B1\""), std::string::npos);
    auto csv = run(microplan_cmd("report management " + store + " Z1 -f csv --output " + dir.path("z1.csv")));
    ASSERT_EQ(csv.exit_code, 0) << csv.output;
    const std::string table = read_bytes(dir.path("z1.csv"));
    EXPECT_EQ(table.rfind("period,code,kind,id,name,indicator,", 0), 0u) << table.substr(0, 200);
    EXPECT_NE(table.find("\n2026-12,Z1,project,"), std::string::npos);
    auto bad = run(microplan_cmd("report management " + store + " Z1 --period 2025-13"));
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.output.find("--period '2025-13' is not a month"), std::string::npos) << bad.output;
    if (run("command -v pdftoppm && test -x ${CHROMIUM:-/usr/bin/chromium}").exit_code != 0)
        GTEST_SKIP() << "pdftoppm (poppler-utils) or chromium is not installed (make deps installs them)";
    auto pdf = run(microplan_cmd("report management " + store + " Z1 -f pdf --output " + dir.path("z1.pdf")));
    ASSERT_EQ(pdf.exit_code, 0) << pdf.output;
    auto png = run("pdftoppm -png -r 40 -f 1 -l 1 " + dir.path("z1.pdf") + " " + dir.path("page") + " && ls " +
                   dir.path("page") + "-1.png");
    EXPECT_EQ(png.exit_code, 0) << png.output;
}

TEST(Cli, AccessibilityOnTheDemoStore) {
    scratch dir;
    std::string store = dir.path("demo.sqlite");
    auto demo = run(microplan_cmd("demo --out " + store));
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    EXPECT_NE(demo.output.find("accessibility of 4 sectors"), std::string::npos) << demo.output;
    // The demo stores travel time for every sector, per zone, district and circuit.
    auto runs = run("sqlite3 " + store + " \"SELECT sector || ':' || measure FROM accessibility_runs ORDER BY id\"");
    EXPECT_EQ(runs.output,
              "health:travel_time\neducation:travel_time\nsecurity:travel_time\nchild_development:travel_time\n");
    auto levels = run(
        "sqlite3 " + store +
        " \"SELECT level, COUNT(DISTINCT code) FROM accessibility WHERE run_id = 1 GROUP BY level ORDER BY level\"");
    EXPECT_EQ(levels.output, "circuit|1134\ndistrict|140\nzone|9\n");
    // Within a longer time never holds fewer people; zones hold the raster's people.
    auto monotone =
        run("sqlite3 " + store +
            " \"SELECT COUNT(*) FROM accessibility a JOIN accessibility b ON a.run_id = b.run_id AND a.level ="
            " b.level AND a.code = b.code AND b.threshold > a.threshold WHERE b.within < a.within - 1e-6\"");
    EXPECT_EQ(monotone.output, "0\n");
    auto people =
        run("sqlite3 " + store +
            " \"SELECT CAST(ROUND(SUM(population)) AS INTEGER) FROM accessibility WHERE run_id = 1 AND level = 'zone'"
            " AND threshold = 15\"");
    EXPECT_NEAR(std::stod(people.output), 16984271.0, 5.0);

    const std::string data = std::string(MICROPLAN_DATA_DIR) + "/access/";
    const std::string prefix = dir.path("demo");
    const std::string surface = " --landcover " + prefix + "_landcover.tif --speeds " + data +
                                "demo_landcover_speeds.csv --roads " + prefix + "_roads.gpkg --road-speeds " + data +
                                "demo_road_speeds.csv --barriers " + prefix + "_rivers.gpkg --dem " + prefix +
                                "_elevation.tif --population " + prefix + "_population.tif";
    auto tt = run(microplan_cmd("access travel-time " + store + " --sector salud --thresholds 10,30" + surface +
                                " --knight --out-dir " + dir.path("out")));
    ASSERT_EQ(tt.exit_code, 0) << tt.output;
    EXPECT_NE(tt.output.find("health, travel_time:"), std::string::npos) << tt.output;
    EXPECT_NE(tt.output.find("within 10 min:"), std::string::npos) << tt.output;
    EXPECT_NE(tt.output.find("within 45 min:"), std::string::npos) << tt.output;  // the standards' times are added
    EXPECT_NE(tt.output.find("slope from the DEM"), std::string::npos) << tt.output;
    for (const char* f : {"travel_time_health.tif", "nearest_health.tif", "catchments_health.gpkg"})
        EXPECT_TRUE(std::filesystem::exists(dir.path("out/") + f)) << f;
    auto catchments = run("ogrinfo -ro -so " + dir.path("out/catchments_health.gpkg") + " catchments");
    EXPECT_NE(catchments.output.find("Feature Count: 12"), std::string::npos) << catchments.output;  // 1,2xx
    auto stored =
        run("sqlite3 " + store + " \"SELECT thresholds, method FROM accessibility_runs WHERE sector = 'health'\"");
    EXPECT_NE(stored.output.find("[10.0,30.0,45.0,60.0,90.0,120.0]"), std::string::npos) << stored.output;
    EXPECT_NE(stored.output.find("16 neighbours, Tobler slope"), std::string::npos) << stored.output;

    auto dist = run(
        microplan_cmd("access distance " + store + " --sector educacion --population " + prefix + "_population.tif"));
    ASSERT_EQ(dist.exit_code, 0) << dist.output;
    EXPECT_NE(dist.output.find("education, distance:"), std::string::npos) << dist.output;
    EXPECT_NE(dist.output.find("within 5 km:"), std::string::npos) << dist.output;

    auto net = run(microplan_cmd("access network " + store + " --sector health --population " + prefix +
                                 "_population.tif --roads " + prefix + "_roads.gpkg --road-speeds " + data +
                                 "demo_road_speeds.csv --no-store"));
    ASSERT_EQ(net.exit_code, 0) << net.output;
    EXPECT_NE(net.output.find("health, network_time:"), std::string::npos) << net.output;
    EXPECT_NE(net.output.find("road graph:"), std::string::npos) << net.output;

    auto cap = run(
        microplan_cmd("access capacity " + store + " --sector health" + surface + " --table " + dir.path("cap.csv")));
    ASSERT_EQ(cap.exit_code, 0) << cap.output;
    EXPECT_NE(cap.output.find("people covered"), std::string::npos) << cap.output;
    std::string table = read_bytes(dir.path("cap.csv"));
    EXPECT_EQ(table.rfind("order,establishment_fid,code,name,typology,capacity,population_in_reach,covered,", 0), 0u);

    auto sites = run(microplan_cmd("access sites " + store + " --sector health" + surface +
                                   " --minutes 30 -k 3 --exact --out " + dir.path("sites.csv")));
    ASSERT_EQ(sites.exit_code, 0) << sites.output;
    EXPECT_NE(sites.output.find("3 sites add"), std::string::npos) << sites.output;
    EXPECT_NE(sites.output.find("exact MIP (CBC"), std::string::npos) << sites.output;
    EXPECT_NE(sites.output.find("optimal"), std::string::npos) << sites.output;
    std::string csv = read_bytes(dir.path("sites.csv"));
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 + 3);
    EXPECT_NE(csv.find("greedy,1,"), std::string::npos);
    EXPECT_EQ(csv.find(",,\n"), std::string::npos) << "every site lies in a zone, district and circuit: " << csv;
    // As many sites as needed to reach a coverage target.
    auto target = run(microplan_cmd("access sites " + store + " --sector health" + surface +
                                    " --minutes 30 --target-pct 41 --out " + dir.path("target.csv")));
    ASSERT_EQ(target.exit_code, 0) << target.output;
    auto arrow = target.output.find("% -> ");
    ASSERT_NE(arrow, std::string::npos) << target.output;
    EXPECT_GE(std::stod(target.output.substr(arrow + 5)), 41.0) << target.output;
    auto added = target.output.find(" sites add");
    ASSERT_NE(added, std::string::npos) << target.output;
    auto line = target.output.rfind('\n', added);
    EXPECT_GT(std::stoi(target.output.substr(line == std::string::npos ? 0 : line + 1)), 3) << target.output;

    // Bad input: a clear reason, exit 2, the store untouched.
    std::string before = read_bytes(store);
    auto none = run(microplan_cmd("access travel-time " + store + " --sector astrology" + surface));
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.output.find("no existing establishments of sector 'astrology'"), std::string::npos) << none.output;
    std::string speeds = dir.write("speeds.csv", "class,speed_kmh\n1,5\n2,4\n");
    auto missing =
        run(microplan_cmd("access travel-time " + store + " --sector health --landcover " + prefix +
                          "_landcover.tif --speeds " + speeds + " --population " + prefix + "_population.tif"));
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.output.find("land-cover class without a speed"), std::string::npos) << missing.output;
    EXPECT_NE(missing.output.find("3 ("), std::string::npos) << missing.output;
    auto nothing = run(
        microplan_cmd("access travel-time " + store + " --sector health --population " + prefix + "_population.tif"));
    EXPECT_EQ(nothing.exit_code, 2);
    EXPECT_NE(nothing.output.find("give --friction, or --landcover with --speeds"), std::string::npos)
        << nothing.output;
    auto thresholds = run(microplan_cmd("access distance " + store + " --sector health --thresholds 5,x --population " +
                                        prefix + "_population.tif"));
    EXPECT_EQ(thresholds.exit_code, 2);
    EXPECT_NE(thresholds.output.find("'x' in '5,x' is not a positive number"), std::string::npos) << thresholds.output;
    EXPECT_EQ(read_bytes(store), before);
}

TEST(Cli, DesignCircuitsFromRealParishesAndBuildEcuador) {
    MICROPLAN_NEED_ECUADOR_DATA();
    scratch dir;
    // Circuits of ~11,000 people inside each canton of Pichincha's parishes, weighted by LandScan.
    auto d = run(microplan_cmd("design --units " + ecuador("boundaries/parroquias.geojson") + " --population " +
                               ecuador("tables/poblacion_parroquias.csv") +
                               " --population-code-field DPA_PARROQ --population-field pob_cpv2022 --raster " +
                               ecuador("rasters/landscan_2023_continental.tif") +
                               " --parent-digits 4 --target 11000 --tolerance 0.1 --seed 3 --threads 2 --out " +
                               dir.path("circuits.gpkg") + " --report " + dir.path("circuits.csv")));
    ASSERT_EQ(d.exit_code, 0) << d.output;
    EXPECT_NE(d.output.find("designed "), std::string::npos) << d.output;
    auto info = run("ogrinfo -ro -so " + dir.path("circuits.gpkg") + " circuits");
    EXPECT_NE(info.output.find("Feature Count: "), std::string::npos) << info.output;
    auto csv = run("wc -l < " + dir.path("circuits.csv"));
    EXPECT_GT(std::stoi(csv.output), 1000) << "about 16.9 M people / 11,000";
    // Bad input: no parent, one line and exit 2, nothing written.
    auto bad = run(microplan_cmd("design --units " + ecuador("boundaries/parroquias.geojson") +
                                 " --target 11000 --out " + dir.path("x.gpkg")));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("--parent-digits N or --parents FILE"), std::string::npos) << bad.output;
    EXPECT_FALSE(std::filesystem::exists(dir.path("x.gpkg")));

    // The national store, read back by GDAL and validated by microplan.
    auto b = run(microplan_cmd("build-ecuador --data " + ecuador("") + " --out " + dir.path("ec.sqlite") +
                               " --threads 2 --road-speeds-dir ''"));
    ASSERT_EQ(b.exit_code, 0) << b.output;
    EXPECT_NE(b.output.find("built 9 zones, 140 districts, 1130 circuits"), std::string::npos) << b.output;
    auto n = run("ogrinfo -ro -q -sql 'SELECT COUNT(*) AS n FROM circuits' " + dir.path("ec.sqlite"));
    EXPECT_NE(n.output.find("n (Integer) = 1130"), std::string::npos) << n.output;
    auto report = nlohmann::json::parse(std::ifstream(dir.path("ec.sqlite_report.json")));
    EXPECT_EQ(report["counts"]["districts"], 140);
    EXPECT_EQ(report["official_circuits"]["circuits"].size(), 57u);
    auto v = run(microplan_cmd("validate --json " + dir.path("ec.sqlite")));
    auto j = nlohmann::json::parse(v.output.substr(v.output.find('{')));
    for (const auto& f : j["findings"]) EXPECT_NE(f["rule"], "hierarchy.crosses_parent") << f.dump();
    // SpatiaLite's own geodesic areas: the circuits cover the delimited parishes (Guayaquil's
    // official circuits reach a little beyond the parish cartography, into the estuary).
    auto area = [&](const std::string& sql) {
        auto r = run("ogrinfo -ro -q -sql \"" + sql + "\" " + dir.path("ec.sqlite"));
        auto at = r.output.find("= ");
        return at == std::string::npos ? -1.0 : std::stod(r.output.substr(at + 2));
    };
    double circuits = area("SELECT SUM(ST_Area(geom, 1)) / 1e6 AS a FROM circuits");
    double parishes = area("SELECT SUM(ST_Area(geom, 1)) / 1e6 AS a FROM parishes WHERE code NOT LIKE '90%'");
    EXPECT_NEAR(circuits, parishes, parishes * 0.005) << circuits << " vs " << parishes << " km2";
    // The server serves it like any other store: GDAL's OGC API - Features driver reads it.
    auto served =
        run("(" + microplan_cmd("serve " + dir.path("ec.sqlite") + " --port 0 --access-log off") + " > " +
            dir.path("log") + " 2>&1 & pid=$!; for i in $(seq 600); do grep -q 'microplan serving' " + dir.path("log") +
            " && break; sleep 0.1; done; url=$(grep -o 'http://127.0.0.1:[0-9]*' " + dir.path("log") +
            " | head -1); ogrinfo -ro -so OAPIF:$url circuits; kill -TERM $pid; wait $pid)");
    EXPECT_NE(served.output.find("Feature Count: 1130"), std::string::npos) << served.output;
}

TEST(Cli, DesignInsideParentPolygonsIsReproducible) {
    scratch dir;
    // 4 x 4 parishes of 0.01° near Quito, 2,500 people each; two parent cantons, west and east halves.
    std::string parishes, people = "code,inhabitants\n";
    auto ring = [](double x, double y, double w, double h) {
        char b[256];
        std::snprintf(b, sizeof b, "[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]", x, y, x + w, y,
                      x + w, y + h, x, y + h, x, y);
        return std::string(b);
    };
    for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 4; ++i) {
            std::string code = (i < 2 ? "1701" : "1702") + std::to_string(50 + j * 4 + i);
            parishes +=
                (parishes.empty() ? "" : ",") +
                polygon_feature(R"({"code":")" + code + R"("})", ring(-78.6 + 0.01 * i, -0.3 + 0.01 * j, 0.01, 0.01));
            people += code + ",2500\n";
        }
    std::string units = dir.write("parishes.geojson", feature_collection(parishes));
    std::string table = dir.write("people.csv", people);
    std::string parents =
        dir.write("cantons.geojson",
                  feature_collection(polygon_feature(R"({"code":"1701"})", ring(-78.6, -0.3, 0.02, 0.04)) + "," +
                                     polygon_feature(R"({"code":"1702"})", ring(-78.58, -0.3, 0.02, 0.04))));
    auto design = [&](const std::string& out) {
        return run(microplan_cmd("design --units " + units + " --population " + table +
                                 " --population-field inhabitants --parents " + parents +
                                 " --target 10000 --tolerance 0.01 --seed 5 --out " + dir.path(out + ".geojson") +
                                 " --report " + dir.path(out + ".csv")));
    };
    // A table whose people field is not recognised: the message names design's own flag.
    auto unnamed = run(microplan_cmd("design --units " + units + " --population " + table + " --parents " + parents +
                                     " --target 10000 --out " + dir.path("x.geojson")));
    EXPECT_EQ(unnamed.exit_code, 2) << unnamed.output;
    EXPECT_NE(unnamed.output.find("name it with --population-field"), std::string::npos) << unnamed.output;
    auto a = design("a");
    ASSERT_EQ(a.exit_code, 0) << a.output;
    EXPECT_NE(a.output.find("designed 4 circuits from 16 finer units"), std::string::npos) << a.output;
    auto csv = read_bytes(dir.path("a.csv"));
    for (const char* code : {"1701C01", "1701C02", "1702C01", "1702C02"})
        EXPECT_NE(csv.find(std::string("circuit,") + code + "," + code + "," + std::string(code).substr(0, 4) +
                           ",10000,10000,0.00"),
                  std::string::npos)
            << csv;
    ASSERT_EQ(design("b").exit_code, 0);
    EXPECT_EQ(csv, read_bytes(dir.path("b.csv")));
    EXPECT_EQ(read_bytes(dir.path("a.geojson")), read_bytes(dir.path("b.geojson")));
}
