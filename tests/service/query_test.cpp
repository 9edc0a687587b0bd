// Request target parsing, typed parameters, CRS names and CQL2 text filters.
#include "microplan/service/query.hpp"

#include <gtest/gtest.h>

#include "microplan/service/cql2.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/features_service.hpp"

namespace microplan::service {
namespace {

int status_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const request_error& e) {
        return e.status();
    }
    return 0;
}

TEST(Query, SegmentsAndParametersArePercentDecoded) {
    auto t =
        parse_target("/collections/circuits/items?limit=10&filter=name%20%3D%20%27%C3%91a%27&bbox=-80,-2,-79,-1&flag");
    ASSERT_EQ(t.segments.size(), 3u);
    EXPECT_EQ(t.segments[1], "circuits");
    EXPECT_EQ(t.get("limit"), "10");
    EXPECT_EQ(t.get("filter"), "name = 'Ña'");
    EXPECT_EQ(t.get("flag"), "");
    EXPECT_FALSE(t.get("offset"));
}

TEST(Query, TraversalEncodedSlashesAndBadEscapesAreRefused) {
    for (const char* bad :
         {"/../etc/passwd", "/tiles/%2e%2e/x", "/a/%2F/b", "/a%00b", "/a?x=%zz", "/a?x=%4", "relative", "/a/%5C..", ""})
        EXPECT_EQ(status_of([&] { parse_target(bad); }), 400) << bad;
}

// Found by fuzz_http_request: a raw 0xFF in a query reached the items page's self link, which
// JSON refused - a 500. Bytes that are neither printable ASCII nor UTF-8 are the client's mistake.
TEST(Query, RawBytesThatAreNotUtf8AreRefused) {
    for (std::string bad :
         {std::string("/collections/circuits/items?limit=6&f=tc\xff\xfe"), std::string("/a b"), std::string("/caf\xc3"),
          std::string("/a?x=\x01"), std::string("/\xc0\xaf"), std::string("/\xed\xa0\x80")}) {
        EXPECT_EQ(status_of([&] { parse_target(bad); }), 400) << bad;
        try {
            parse_target(bad);
        } catch (const request_error& e) {
            EXPECT_EQ(std::string(e.what()).find('\xff'), std::string::npos);  // the message stays ASCII
        }
    }
    EXPECT_EQ(parse_target("/caf%C3%A9").segments[0], "caf\xc3\xa9");    // percent-encoded, it is fine
    EXPECT_EQ(parse_target("/caf\xc3\xa9").segments[0], "caf\xc3\xa9");  // and so is raw UTF-8
}

TEST(Query, IntegersNumbersAndBboxesAreChecked) {
    EXPECT_EQ(parse_integer("limit", "250", 1, 10000), 250);
    for (const char* bad : {"", "-1", "0", "10001", "1e3", "12a", "99999999999999999999999", " 5"})
        EXPECT_EQ(status_of([&] { parse_integer("limit", bad, 1, 10000); }), 400) << bad;
    auto b = parse_bbox("bbox", "-80.5,-2,-79,-1.5");
    EXPECT_DOUBLE_EQ(b[0], -80.5);
    EXPECT_DOUBLE_EQ(b[3], -1.5);
    EXPECT_DOUBLE_EQ(parse_bbox("bbox", "1,2,0,3,4,10")[2], 3);  // with heights
    for (const char* bad : {"1,2,3", "a,b,c,d", "1,2,0,3", "nan,0,1,1", "inf,0,1,1", "1,2,3,4,5", "1,,2,3"})
        EXPECT_EQ(status_of([&] { parse_bbox("bbox", bad); }), 400) << bad;
}

TEST(Query, ServedCrsByUriOrCode) {
    EXPECT_EQ(parse_crs("crs", "http://www.opengis.net/def/crs/EPSG/0/32717").proj, "EPSG:32717");
    EXPECT_TRUE(parse_crs("crs", "[EPSG:4326]").lat_first);
    EXPECT_FALSE(parse_crs("crs", "http://www.opengis.net/def/crs/OGC/1.3/CRS84").lat_first);
    EXPECT_EQ(status_of([] { parse_crs("crs", "EPSG:2154"); }), 400);
}

TEST(Cql2, BasicComparisonsLogicAndNulls) {
    auto known = [](std::string_view n) { return n == "code" || n == "population" || n == "name" || n == "urban"; };
    nlohmann::json p = {{"code", "01D01C02"}, {"population", 12000}, {"name", "O'Brien"}, {"urban", true}};
    auto match = [&](const char* text) { return cql2_filter(text, known).matches(p); };
    EXPECT_TRUE(match("code = '01D01C02'"));
    EXPECT_TRUE(match("population > 11000 AND population <= 12000"));
    EXPECT_TRUE(match("code <> 'x' and not (population < 100)"));
    EXPECT_TRUE(match("name = 'O''Brien'"));
    EXPECT_TRUE(match("\"population\" >= 1.2e4"));
    EXPECT_TRUE(match("urban = TRUE OR population < 0"));
    EXPECT_FALSE(match("population = '12000'"));  // types differ
    EXPECT_TRUE(match("population IS NOT NULL"));
    EXPECT_FALSE(match("code IS NULL"));
    EXPECT_FALSE(match("(code = 'a' OR code = 'b') AND population > 0"));
}

TEST(Cql2, ErrorsNameThePositionOrTheProperty) {
    auto known = [](std::string_view n) { return n == "code"; };
    for (const char* bad : {"code = ", "code == 'a'", "secret = 1", "code = 'unterminated", "(code = 'a'",
                            "code = 'a' AND", "code LIKE 'a%'", "code = 'a' extra"}) {
        try {
            cql2_filter f(bad, known);
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const request_error& e) {
            EXPECT_EQ(e.status(), 400);
            EXPECT_NE(std::string(e.what()).find("filter"), std::string::npos) << e.what();
        }
    }
    std::string deep(200, '(');
    EXPECT_THROW(cql2_filter(deep + "code = 'a'" + std::string(200, ')'), known), request_error);
}

}  // namespace
}  // namespace microplan::service
