// Values readers used to store without a word (BAD_INPUTS.md, "Magnitudes and loops"): codes that
// are JSON objects or hold invisible or non-ASCII digits, an analysis CRS in degrees, a
// Shapefile without its .dbf or .shx, establishment points beyond ±180/±90, capacities and staff
// beyond any establishment's.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/model/level.hpp"
#include "support.hpp"

namespace microplan::geo {
namespace {

using test::scratch;

const std::string square = "[[-78.6,-0.3],[-78.5,-0.3],[-78.5,-0.2],[-78.6,-0.2],[-78.6,-0.3]]";

TEST(CodeText, InvisibleAndNonAsciiCharactersAndJsonAreNamed) {
    EXPECT_FALSE(code_text_problem("17D06C03"));
    EXPECT_FALSE(code_text_problem(" 170150 "));
    EXPECT_EQ(code_text_problem("17\u200B01"),
              "character 3 is U+200B (zero-width space or joiner); codes are plain "
              "ASCII letters and digits");
    EXPECT_EQ(code_text_problem("17\u00A001")->substr(0, 34), "character 3 is U+00A0 (no-break sp");
    EXPECT_EQ(code_text_problem("\u0661\u0667")->substr(0, 45), "character 1 is U+0661 (Arabic-Indic digit); c");
    EXPECT_EQ(code_text_problem("17\uFF10")->substr(0, 40), "character 3 is U+FF10 (full-width digit)");
    EXPECT_EQ(code_text_problem("\xEF\xBB\xBF"
                                "17")
                  ->substr(0, 30),
              "character 1 is U+FEFF (zero-wi");
    EXPECT_EQ(code_text_problem("17\x01"), "character 3 is U+0001 (a control character)");
    EXPECT_EQ(code_text_problem("{ \"a\": 1 }")->substr(0, 24), "it is a JSON object, not");
    EXPECT_EQ(code_text_problem("[1,2]")->substr(0, 23), "it is a JSON array, not");
    EXPECT_EQ(code_text_problem("\xFF")->substr(0, 22), "character 1 is U+FFFD;");
}

std::string import_error(const std::string& path, const std::string& analysis_crs = "EPSG:32717") {
    import_options o;
    o.path = path;
    o.lvl = level::parish;
    o.fields.code = "code";
    o.analysis_crs = analysis_crs;
    try {
        read_units(o);
    } catch (const error& e) {
        return e.rule() + ": " + e.what();
    }
    return "";
}

TEST(ReadUnitsBounds, CodesThatAreObjectsOrHoldInvisibleOrForeignDigitsAreRefused) {
    scratch s;
    auto file = [&](const std::string& code) {
        return s.write("u.geojson",
                       test::feature_collection(test::polygon_feature(R"({"code":)" + code + "}", square)));
    };
    std::string e = import_error(file(R"({"a":1})"));
    EXPECT_EQ(e.substr(0, 19), "code not plain text") << e;
    EXPECT_NE(e.find("feature 0"), std::string::npos) << e;
    EXPECT_NE(e.find("JSON object"), std::string::npos) << e;
    e = import_error(file("\"17\u200B0150\""));
    EXPECT_NE(e.find("U+200B (zero-width space or joiner)"), std::string::npos) << e;
    e = import_error(file("\"\u0661\u0667\u0660\u0661\u0665\u0660\""));
    EXPECT_NE(e.find("U+0661 (Arabic-Indic digit)"), std::string::npos) << e;
    e = import_error(file("\"170150\u00A0\""));
    EXPECT_NE(e.find("U+00A0 (no-break space)"), std::string::npos) << e;
    EXPECT_EQ(import_error(file("\"170150\"")), "");
}

TEST(ReadUnitsBounds, AGeographicAnalysisCrsIsRefused) {
    scratch s;
    std::string path =
        s.write("u.geojson", test::feature_collection(test::polygon_feature(R"({"code":"170150"})", square)));
    std::string e = import_error(path, "EPSG:4326");
    EXPECT_EQ(e.substr(0, 23), "analysis CRS in degrees") << e;
    EXPECT_NE(e.find("square degrees"), std::string::npos) << e;
    EXPECT_NE(import_error(path, "EPSG:4674").find("analysis CRS in degrees"), std::string::npos);  // SIRGAS 2000
    EXPECT_EQ(import_error(path, "EPSG:32717"), "");
}

TEST(ReadUnitsBounds, AShapefileWithoutItsDbfOrShxNamesTheMissingFile) {
    scratch s;
    std::string geojson =
        s.write("u.geojson", test::feature_collection(test::polygon_feature(R"({"code":"170150"})", square)));
    std::string shp = s.path("u.shp");
    auto made = test::run("ogr2ogr -f 'ESRI Shapefile' " + shp + " " + geojson);
    ASSERT_EQ(made.exit_code, 0) << made.output;
    EXPECT_EQ(import_error(shp), "");
    std::filesystem::rename(s.path("u.dbf"), s.path("u.dbf.away"));
    std::string e = import_error(shp);
    EXPECT_EQ(e.substr(0, 20), "missing sidecar file") << e;
    EXPECT_NE(e.find(s.path("u.dbf") + " is missing"), std::string::npos) << e;
    EXPECT_NE(e.find("attributes (codes, names)"), std::string::npos) << e;
    std::filesystem::rename(s.path("u.dbf.away"), s.path("u.dbf"));
    std::filesystem::remove(s.path("u.shx"));
    e = import_error(shp);
    EXPECT_NE(e.find(s.path("u.shx") + " is missing"), std::string::npos) << e;
}

TEST(EstablishmentBounds, PointsBeyondTheGlobeAreKeptWithoutALocationAndReported) {
    scratch s;
    establishment_import_options o;
    o.path = s.write("e.csv",
                     "id,sector,typology,capacity,staff,lon,lat\n"
                     "A,health,Tipo A,10,2,-78.5,-0.2\n"
                     "B,health,Tipo A,1e300,1e300,1e308,-0.2\n"
                     "C,health,Tipo A,10,2,-78.4,-95\n");
    auto r = read_establishments(o);
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_DOUBLE_EQ(r.rows[0].lon, -78.5);
    EXPECT_TRUE(std::isnan(r.rows[1].lon) && std::isnan(r.rows[1].lat));
    EXPECT_TRUE(std::isnan(r.rows[2].lon));
    EXPECT_FALSE(r.rows[1].capacity);
    EXPECT_FALSE(r.rows[1].staff);
    std::size_t out_of_range = 0;
    std::string capacity, staff;
    for (const auto& f : r.report.items) {
        if (f.rule == "point.out_of_range") ++out_of_range;
        if (f.rule == "establishment.bad_capacity") capacity = f.message;
        if (f.rule == "establishment.bad_staff") staff = f.message;
    }
    EXPECT_EQ(out_of_range, 2u);
    EXPECT_NE(capacity.find("row 2 (id B): capacity '1e300' must be between 0 and"), std::string::npos) << capacity;
    EXPECT_NE(staff.find("'1e300' is not a whole non-negative number"), std::string::npos) << staff;
}

}  // namespace
}  // namespace microplan::geo
