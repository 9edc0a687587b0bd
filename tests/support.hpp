#pragma once
// Shared helpers for the tests: scratch folders, files written inline, the real data.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
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

// The demo store (`microplan demo`, default options) at `store`, with its inputs beside it
// (<stem>_population.tif, <stem>_roads.gpkg, ...). ctest builds it once per run (the
// `fixture.demo_store` test, FIXTURES_SETUP) and names it in MICROPLAN_TEST_DEMO_STORE: it is
// copied then, and the store's references to its inputs (the population rows' source) name the
// fixture's files. Run alone (no variable), the test generates its own.
inline run_result demo_store_at(const std::string& store) {
    namespace fs = std::filesystem;
    const char* fixture = std::getenv("MICROPLAN_TEST_DEMO_STORE");
    if (!fixture || !fs::exists(fixture)) return run(microplan_cmd("demo --out " + store));
    auto stem = [](const fs::path& p) {
        std::string s = p.string();
        return s.ends_with(".sqlite") ? s.substr(0, s.size() - 7) : s;
    };
    const std::string from = stem(fixture), to = stem(store);
    std::error_code ec;
    fs::copy_file(fixture, store, fs::copy_options::overwrite_existing, ec);
    if (ec) return {1, "cannot copy the demo store " + std::string(fixture) + ": " + ec.message()};
    for (const auto& entry : fs::directory_iterator(fs::path(fixture).parent_path())) {
        const std::string name = entry.path().string();
        if (!name.starts_with(from + "_")) continue;
        fs::copy_file(name, to + name.substr(from.size()), fs::copy_options::overwrite_existing, ec);
        if (ec) return {1, "cannot copy " + name + ": " + ec.message()};
    }
    return {0, std::string("demo store copied from ") + fixture};
}

// A GeoJSON FeatureCollection from feature snippets.
inline std::string feature_collection(const std::string& features) {
    return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}
inline std::string polygon_feature(const std::string& props, const std::string& ring) {
    return R"({"type":"Feature","properties":)" + props + R"(,"geometry":{"type":"Polygon","coordinates":[)" + ring +
           "]}}";
}

}  // namespace microplan::test
