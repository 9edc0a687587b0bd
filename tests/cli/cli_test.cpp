// The microplan binary as users run it: help, exit codes, one-line reasons.
#include <gtest/gtest.h>

#include "../support.hpp"

using namespace microplan::test;

TEST(Cli, EverySubcommandHasHelp) {
    for (const char* sub : {"import", "build", "validate", "demo"}) {
        auto r = run(microplan_cmd(std::string(sub) + " --help"));
        EXPECT_EQ(r.exit_code, 0) << sub;
        EXPECT_NE(r.output.find("Usage"), std::string::npos) << sub << ": " << r.output;
    }
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
