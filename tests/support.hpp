#pragma once
// Shared helpers for the tests: scratch folders, files written inline, the real data.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace microplan::test {

// A fresh folder per test, removed afterwards.
class scratch {
public:
    scratch() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() / ("microplan-" + std::string(info->test_suite_name()) + "-" +
                                                         info->name() + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    ~scratch() { std::filesystem::remove_all(dir_); }
    [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::binary) << text;
        return path(name);
    }

private:
    std::filesystem::path dir_;
};

inline std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The real Ecuador data beside the checkout; tests that need it skip when it is absent.
inline std::string ecuador(const std::string& relative) { return std::string(MICROPLAN_SHARED_DATA) + "/" + relative; }
#define MICROPLAN_NEED_ECUADOR_DATA()                                                  \
    do {                                                                               \
        if (!std::filesystem::exists(::microplan::test::ecuador("README.md")))         \
            GTEST_SKIP() << "real Ecuador data not found at " MICROPLAN_SHARED_DATA    \
                            " (../shared/data/ecuador beside the checkout); skipping"; \
    } while (0)

// Runs a shell command, returning its exit code and what it printed (stdout + stderr).
struct run_result {
    int exit_code;
    std::string output;
};
inline run_result run(const std::string& command) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return {-1, ""};
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}
inline std::string microplan_cmd(const std::string& args) { return std::string(MICROPLAN_BINARY) + " " + args; }

// A GeoJSON FeatureCollection from feature snippets.
inline std::string feature_collection(const std::string& features) {
    return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}
inline std::string polygon_feature(const std::string& props, const std::string& ring) {
    return R"({"type":"Feature","properties":)" + props + R"(,"geometry":{"type":"Polygon","coordinates":[)" + ring +
           "]}}";
}

}  // namespace microplan::test
