// The route table on its own: pattern matching (literals, parameters with a prefix or a
// suffix), what a path without the method gives (the Allow list), and the registrations it
// refuses so that a request reaches one handler.
#include "microplan/service/routes.hpp"

#include <gtest/gtest.h>

namespace microplan::service {
namespace {

route_handler answering(unsigned status) {
    return [status](const request_context&, const path_params&) {
        http_response r;
        r.status = status;
        return r;
    };
}

route make(http_method m, std::string pattern, std::string id) {
    return {
        .method = m, .pattern = std::move(pattern), .handler = answering(200), .api = {.operation_id = std::move(id)}};
}

route_table sample() {
    route_table t;
    t.add(make(http_method::get, "/", "root"));
    t.add(make(http_method::get, "/collections/{collectionId}/items/{featureId}", "item"));
    t.add(make(http_method::get, "/tiles/{layer}/{z}/{x}/{y}.mvt", "tile"));
    t.add(make(http_method::get, "/tiles/{layer}.json", "tilejson"));
    t.add(make(http_method::get, "/scenarios", "list"));
    t.add(make(http_method::post, "/scenarios", "create"));
    t.add(make(http_method::del, "/scenarios/{id}", "delete"));
    return t;
}

TEST(RouteTable, MatchesLiteralsParametersAndSuffixes) {
    route_table t = sample();
    auto root = t.match("GET", {});
    ASSERT_NE(root.found, nullptr);
    EXPECT_EQ(root.found->api.operation_id, "root");
    auto item = t.match("GET", {"collections", "circuits", "items", "42"});
    ASSERT_NE(item.found, nullptr);
    EXPECT_EQ(item.params["collectionId"], "circuits");
    EXPECT_EQ(item.params["featureId"], "42");
    EXPECT_THROW((void)item.params["layer"], std::logic_error);
    auto tile = t.match("HEAD", {"tiles", "all", "5", "8", "15.mvt"});
    ASSERT_NE(tile.found, nullptr);
    EXPECT_EQ(tile.params["y"], "15");
    auto tilejson = t.match("GET", {"tiles", "all.json"});
    ASSERT_NE(tilejson.found, nullptr);
    EXPECT_EQ(tilejson.params["layer"], "all");
    // A parameter is never empty, and the suffix must be there.
    EXPECT_EQ(t.match("GET", {"tiles", ".json"}).found, nullptr);
    EXPECT_EQ(t.match("GET", {"tiles", "all", "5", "8", "15.png"}).found, nullptr);
    EXPECT_EQ(t.match("GET", {"tiles", "all", "5", "8", ".mvt"}).found, nullptr);
}

TEST(RouteTable, APathWithoutTheMethodListsTheMethodsItHas) {
    route_table t = sample();
    auto none = t.match("GET", {"nothing", "here"});
    EXPECT_EQ(none.found, nullptr);
    EXPECT_TRUE(none.allowed.empty());
    auto put = t.match("PUT", {"scenarios"});
    EXPECT_EQ(put.found, nullptr);
    EXPECT_EQ(allow_header(put.allowed), "GET, HEAD, POST");
    auto get = t.match("GET", {"scenarios", "3"});
    EXPECT_EQ(get.found, nullptr);
    EXPECT_EQ(allow_header(get.allowed), "DELETE");
    auto post = t.match("POST", {"scenarios"});
    ASSERT_NE(post.found, nullptr);
    EXPECT_EQ(post.found->api.operation_id, "create");
}

TEST(RouteTable, RefusesPatternsThatAreMalformedOrShadowAnother) {
    route_table t = sample();
    EXPECT_THROW(t.add(make(http_method::get, "collections", "a")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/a//b", "b")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/a/", "c")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/a/{}", "d")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/a/{x}{y}", "e")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/a/{x}/{x}", "f")), std::logic_error);
    // Same method on a path another pattern already takes.
    EXPECT_THROW(t.add(make(http_method::get, "/tiles/{a}/{b}/{c}/{d}.mvt", "g")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/tiles/circuits.json", "h")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/collections/c/items/{f}", "i")), std::logic_error);
    EXPECT_THROW(t.add(make(http_method::get, "/unique", "root")), std::logic_error);  // operationId taken
    route no_handler = make(http_method::get, "/x", "x");
    no_handler.handler = nullptr;
    EXPECT_THROW(t.add(no_handler), std::logic_error);
    // Different method, or a suffix that cannot meet: fine.
    EXPECT_NO_THROW(t.add(make(http_method::patch, "/scenarios/{id}", "rename")));
    EXPECT_NO_THROW(t.add(make(http_method::get, "/tiles/{layer}/{z}/{x}/{y}.pbf", "pbf")));
    EXPECT_EQ(route_table::parameter_names("/tiles/{layer}/{z}/{x}/{y}.mvt"),
              (std::vector<std::string>{"layer", "z", "x", "y"}));
}

}  // namespace
}  // namespace microplan::service
