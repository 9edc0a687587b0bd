// `microplan serve` without --edit-token (the `make run` case): on loopback it makes up a token
// and prints the viewer URL carrying it, so a newcomer can edit; bound to any other address, or
// with --no-edit, editing stays off. It also builds the live travel-time baselines at start.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <thread>

#include "service/http_client.hpp"
#include "service/serve_process.hpp"
#include "support.hpp"

namespace microplan::test {
namespace {

const std::string quiet = " --port 0 --access-log off --watch-seconds 0";

unsigned create_scenario(std::uint16_t port, const std::string& token) {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return http_request_to(port, "POST", "/scenarios", headers, R"({"name":"Taller"})").status;
}

TEST(ServeEditToken, OnLoopbackWithoutATokenOneIsMadeUpAndPrintedInTheViewerUrl) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    serve_process first(dir, store + quiet);
    ASSERT_NE(first.port(), 0) << first.output();
    const std::string viewer = first.printed("workshop viewer");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(viewer, m, std::regex(R"(http://127\.0\.0\.1:\d+/#token=([0-9a-f]{32}))")))
        << first.output();
    const std::string token = m[1];
    EXPECT_NE(first.output().find("made up for this run"), std::string::npos) << first.output();
    EXPECT_EQ(create_scenario(first.port(), ""), 401u);
    EXPECT_EQ(create_scenario(first.port(), "not-the-token"), 401u);
    EXPECT_EQ(create_scenario(first.port(), token), 201u);
    // The live travel-time baselines are built at start, not at the workshop's first question.
    for (int i = 0; i < 600 && first.output().find("live travel time of health ready") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_NE(first.output().find("live travel time of health ready for scenarios"), std::string::npos)
        << first.output();

    // Another run, another token.
    serve_process second(dir, store + quiet);
    ASSERT_NE(second.port(), 0) << second.output();
    EXPECT_EQ(second.printed("workshop viewer").find(token), std::string::npos);
    EXPECT_EQ(create_scenario(second.port(), token), 401u);
}

TEST(ServeEditToken, OnOtherAddressesOrWithNoEditEditingStaysOff) {
    scratch dir;
    const std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(demo_store_at(store).exit_code, 0);
    for (const std::string flags : {" --bind 0.0.0.0", " --no-edit"}) {
        serve_process server(dir, store + quiet + flags);
        ASSERT_NE(server.port(), 0) << server.output();
        EXPECT_EQ(server.output().find("#token="), std::string::npos) << flags << "\n" << server.output();
        EXPECT_NE(server.output().find("editing scenarios is off"), std::string::npos) << server.output();
        EXPECT_EQ(create_scenario(server.port(), ""), 403u) << flags;
    }
    // A chosen token is used as given and never printed.
    serve_process chosen(dir, store + quiet + " --edit-token clave-del-taller-2026");
    ASSERT_NE(chosen.port(), 0) << chosen.output();
    EXPECT_EQ(chosen.output().find("clave-del-taller-2026"), std::string::npos);
    EXPECT_EQ(create_scenario(chosen.port(), "clave-del-taller-2026"), 201u);
    // --no-edit and --edit-token contradict each other.
    auto both = run(microplan_cmd("serve " + store + " --no-edit --edit-token x"));
    EXPECT_EQ(both.exit_code, 2) << both.output;
    EXPECT_NE(both.output.find("excludes"), std::string::npos) << both.output;
}

}  // namespace
}  // namespace microplan::test
