#include "microplan/service/error_response.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "microplan/geo/error.hpp"

using namespace microplan;

namespace {
template <typename E>
service::error_response answer(E e) {
    try {
        throw e;
    } catch (...) {
        return service::current_exception_response();
    }
}
}  // namespace

TEST(ErrorResponse, ClientErrorsKeepTheirStatusAndMessage) {
    auto r = answer(service::request_error(400, "InvalidParameterValue", "bbox needs four numbers"));
    EXPECT_EQ(r.status, 400);
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["code"], "InvalidParameterValue");
    EXPECT_EQ(j["message"], "bbox needs four numbers");
    EXPECT_FALSE(r.log);
}

TEST(ErrorResponse, BadDataIs422WithTheRuleBroken) {
    auto r = answer(geo::geometry_error({"upload.geojson", "", 3, "", ""}, "not a polygon", "a LineString"));
    EXPECT_EQ(r.status, 422);
    EXPECT_NE(nlohmann::json::parse(r.body)["message"].get<std::string>().find("feature 3"), std::string::npos);
}

TEST(ErrorResponse, ServerFailuresAre500AndLoggedNotLeaked) {
    auto r = answer(std::runtime_error("sqlite: disk I/O error at /srv/secret/path"));
    EXPECT_EQ(r.status, 500);
    EXPECT_TRUE(r.log);
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
    EXPECT_NE(r.log_line.find("disk I/O"), std::string::npos);
}
