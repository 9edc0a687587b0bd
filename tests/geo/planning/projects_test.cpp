#include "microplan/geo/planning/projects.hpp"

#include <gtest/gtest.h>

#include "microplan/geo/error.hpp"
#include "planning_fixture.hpp"
#include "support.hpp"

namespace {

using namespace microplan;

TEST(Projects, TheExampleTableIsReadWithKindsStatusesFinancingAndMilestones) {
    geo::findings report;
    auto t = geo::read_projects(std::string(MICROPLAN_DATA_DIR) + "/projects/demo_example.csv", geo::builtin_sectors(),
                                &report);
    ASSERT_EQ(t.items.size(), 6u);
    const geo::project& centre = t.items[0];
    EXPECT_EQ(centre.code, "P-2025-001");
    EXPECT_EQ(centre.kind, geo::project_kind::new_establishment);
    EXPECT_EQ(centre.status, geo::project_status::in_execution);
    ASSERT_TRUE(centre.lon && centre.lat);
    EXPECT_NEAR(*centre.lon, -80.425073, 1e-9);
    EXPECT_EQ(centre.financing(), 1200000);
    ASSERT_EQ(centre.milestones.size(), 3u);
    EXPECT_EQ(centre.milestones[2].date, "2026-06-30");
    EXPECT_EQ(centre.milestones[2].name, "equipamiento y apertura");
    EXPECT_EQ(*centre.physical_progress, 45);
    EXPECT_EQ(t.items[2].unit_level, geo::level::circuit);
    EXPECT_EQ(t.items[3].sector, "water");
    EXPECT_EQ(t.items[3].kind, geo::project_kind::network_extension);
    EXPECT_EQ(t.items[5].unit_level, geo::level::zone);
    EXPECT_EQ(t.items[5].status, geo::project_status::suspended);
    EXPECT_FALSE(report.has_errors());
    EXPECT_EQ(report.count(geo::severity::warning), 0u);  // every financing adds up
}

TEST(Projects, EveryBadRowIsReportedWithLineColumnAndRule) {
    test::scratch dir;
    std::string path = dir.write("bad.csv",
                                 "Código;Nombre;Sector;Tipo;Estado;Longitud;Latitud;Unidad;Inversión;Fondos_propios;"
                                 "Inicio;Fin;Hitos;Avance_fisico\n"
                                 ";Sin código;salud;nuevo;planificado;-78.5;-0.2;;100;;;;;\n"           // 2 no code
                                 "A;Doble;salud;nuevo;planificado;-78.5;-0.2;;100;;;;;\n"               // 3
                                 "A;Doble otra vez;salud;nuevo;planificado;-78.5;-0.2;;100;;;;;\n"      // 4 duplicate
                                 "B;Astrología;astrology;nuevo;planificado;;;17D06;100;;;;;\n"          // 5 sector
                                 "C;Mal tipo;salud;demolición;planificado;;;17D06;100;;;;;\n"           // 6 kind
                                 "D;Mal estado;salud;nuevo;soñado;;;17D06;100;;;;;\n"                   // 7 status
                                 "E;Sin latitud;salud;nuevo;planificado;-78.5;;;100;;;;;\n"             // 8 lat
                                 "F;Fuera;salud;nuevo;planificado;-278.5;-0.2;;100;;;;;\n"              // 9 lon range
                                 "G;Unidad rara;salud;nuevo;planificado;;;Quito;100;;;;;\n"             // 10 unit
                                 "H;En ningún lado;salud;nuevo;planificado;;;;100;;;;;\n"               // 11 place
                                 "I;Fecha;salud;nuevo;planificado;;;17D06;100;;2025-02-30;;;\n"         // 12 date
                                 "J;Al revés;salud;nuevo;planificado;;;17D06;100;;2026-01;2025-06;;\n"  // 13 end
                                 "K;Hitos;salud;nuevo;planificado;;;17D06;100;;;;pronto: diseño;\n"     // 14 milestone
                                 "L;Avance;salud;nuevo;planificado;;;17D06;100;;;;;120\n"               // 15 progress
                                 "M;Inversión;salud;nuevo;planificado;;;17D06;-5;;;;;\n"                // 16 negative
                                 "N;Financiamiento;salud;nuevo;planificado;;;17D06;100;40;;;;\n");      // 17 warning
    std::string e = test::error_of([&] { geo::read_projects(path, geo::builtin_sectors()); });
    auto has = [&](const std::string& text) { return e.find(text) != std::string::npos; };
    EXPECT_TRUE(has("line 2, column code: the project has no code [projects.code_missing]")) << e;
    EXPECT_TRUE(has("line 4, column code: project A is already on line 3 [projects.duplicate]")) << e;
    EXPECT_TRUE(has("line 5, column sector: unknown sector 'astrology'")) << e;
    EXPECT_TRUE(has("line 6, column kind: 'demolición' is not new_establishment")) << e;
    EXPECT_TRUE(has("line 7, column status: 'soñado' is not planned")) << e;
    EXPECT_TRUE(has("line 8, column lat: a point needs both lon and lat")) << e;
    EXPECT_TRUE(has("line 9, column lon: '-278.5' must be between -180 and 180")) << e;
    EXPECT_TRUE(has("line 10, column unit_code: 'Quito' is not a zone, district or circuit code")) << e;
    EXPECT_TRUE(has("line 11, column lon: a project needs a point (lon, lat) or the code of its unit")) << e;
    EXPECT_TRUE(has("line 12, column start: '2025-02-30' is not a date")) << e;
    EXPECT_TRUE(has("line 13, column end: the project ends (2025-06) before it starts (2026-01)")) << e;
    EXPECT_TRUE(has("line 14, column milestones: 'pronto: diseño' does not start with a date")) << e;
    EXPECT_TRUE(has("line 15, column physical_progress:")) << e;
    EXPECT_TRUE(has("line 16, column investment:")) << e;
    EXPECT_TRUE(has("nothing written")) << e;
    EXPECT_FALSE(has("line 3,")) << e;
    EXPECT_FALSE(has("line 17,")) << e;  // a warning only
    // Financing that does not add up is a warning, given back.
    std::string ok = dir.write("ok.csv",
                               "code,name,sector,unit_code,investment,own_funds,transfers\n"
                               "N,Financiamiento,health,17D06,100,40,20\n");
    geo::findings report;
    auto t = geo::read_projects(ok, geo::builtin_sectors(), &report);
    ASSERT_EQ(t.items.size(), 1u);
    ASSERT_EQ(report.count(geo::severity::warning), 1u);
    EXPECT_EQ(report.items[0].rule, "projects.financing_mismatch");
    EXPECT_NE(report.items[0].message.find("add up to 60 USD, not the investment of 100 USD"), std::string::npos);
}

TEST(Projects, DatesAreRealDates) {
    EXPECT_TRUE(geo::parse_date("2024-02-29"));
    EXPECT_FALSE(geo::parse_date("2025-02-29"));
    EXPECT_TRUE(geo::parse_date("2025-12"));
    EXPECT_FALSE(geo::parse_date("2025-13"));
    EXPECT_FALSE(geo::parse_date("25-01-01"));
    EXPECT_FALSE(geo::parse_date("2025-1-01"));
}

}  // namespace

namespace {

// P-2025-001: 1,200,000 from 2025-03 to 2026-06. As of 2026-03: 150,000 accrued of the year's
// 500,000 codified (30 %); 600,000 accrued in 2025 (its last month) + 150,000 = 750,000 (62.5 %
// of the investment); 13 of its 16 months gone (81.25 % expected): 18.75 points behind.
TEST(Projects, ExecutionIsReadAndProgressComputedByHand) {
    const std::string data = std::string(MICROPLAN_DATA_DIR) + "/projects/";
    auto portfolio = geo::read_projects(data + "demo_example.csv", geo::builtin_sectors());
    std::vector<std::string> codes;
    for (const auto& p : portfolio.items) codes.push_back(p.code);
    auto t = geo::read_execution(data + "demo_execution.csv", codes);
    ASSERT_EQ(t.rows.size(), 5u);
    std::vector<geo::execution_row> rows;
    for (const auto& r : t.rows)
        if (r.project_code == "P-2025-001") rows.push_back(r);
    auto g = geo::progress_of(portfolio.items[0], rows);
    EXPECT_EQ(g.year, 2026);
    EXPECT_EQ(g.month, 3);
    EXPECT_DOUBLE_EQ(*g.financial_pct, 30);
    EXPECT_DOUBLE_EQ(g.executed, 750000);
    EXPECT_DOUBLE_EQ(*g.executed_pct, 62.5);
    EXPECT_DOUBLE_EQ(*g.expected_pct, 81.25);
    EXPECT_DOUBLE_EQ(*g.variance_pct, -18.75);
    // Without rows: nothing reported.
    auto none = geo::progress_of(portfolio.items[2], {});
    EXPECT_EQ(none.year, 0);
    EXPECT_FALSE(none.financial_pct);
}

TEST(Projects, EveryBadExecutionRowIsReported) {
    test::scratch dir;
    std::string path = dir.write("bad.csv",
                                 "Proyecto;Año;Mes;Codificado;Comprometido;Devengado;Pagado\n"
                                 "P1;2025;13;100;50;20;10\n"   // 2 month
                                 "P9;2025;1;100;50;20;10\n"    // 3 unknown project
                                 "P1;2025;1;100;50;-20;10\n"   // 4 negative
                                 "P1;2025;2;cien;50;20;10\n"   // 5 not a number
                                 "P1;2025;3;100;50;20;10\n"    // 6
                                 "P1;2025;3;100;50;20;10\n"    // 7 duplicate period
                                 "P1;2025;4;100;50;80;10\n");  // 8 order: a warning
    std::string e = test::error_of([&] { geo::read_execution(path, {"P1"}); });
    auto has = [&](const std::string& text) { return e.find(text) != std::string::npos; };
    EXPECT_TRUE(has("line 2, column month:")) << e;
    EXPECT_TRUE(has("line 3, column project_code: no project of the portfolio has code P9")) << e;
    EXPECT_TRUE(has("line 4, column accrued:")) << e;
    EXPECT_TRUE(has("line 5, column codified: 'cien' is not a number")) << e;
    EXPECT_TRUE(has("line 7, column month: P1 2025-3 is already on line 6 [projects.duplicate]")) << e;
    EXPECT_FALSE(has("line 6,")) << e;
    EXPECT_FALSE(has("line 8,")) << e;
    std::string ok =
        dir.write("ok.csv", "project_code,year,month,codified,committed,accrued,paid\nP1,2025,4,100,50,80,10\n");
    geo::findings report;
    geo::read_execution(ok, {"P1"}, &report);
    ASSERT_EQ(report.items.size(), 1u);
    EXPECT_EQ(report.items[0].rule, "projects.order");
}

}  // namespace
