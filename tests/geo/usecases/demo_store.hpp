#pragma once
// The demo store (usecases::build_demo_store), built once per test process (or copied from
// ctest's fixture) in a temporary folder that is removed at exit; tests copy it before changing it.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "microplan/geo/usecases/demo.hpp"
#include "support.hpp"

namespace microplan::test {

class demo_store {
public:
    static const demo_store& get() {
        static const demo_store built;
        return built;
    }
    [[nodiscard]] const std::string& store() const { return store_; }
    // <dir>/demo_<name>: the population raster and the synthetic access inputs beside the store.
    [[nodiscard]] std::string input(const std::string& name) const { return (dir_ / ("demo_" + name)).string(); }
    // A private copy of the store at `path`.
    void copy_to(const std::string& path) const {
        std::filesystem::copy_file(store_, path, std::filesystem::copy_options::overwrite_existing);
    }

private:
    demo_store()
        : dir_(std::filesystem::temp_directory_path() / ("microplan-usecases-demo-" + std::to_string(::getpid()))),
          store_((dir_ / "demo.sqlite").string()) {
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        // Under ctest the run's demo fixture is copied (support.hpp, demo_store_at).
        if (const char* fixture = std::getenv("MICROPLAN_TEST_DEMO_STORE");
            fixture && std::filesystem::exists(fixture) && demo_store_at(store_).exit_code == 0)
            return;
        // Otherwise (the test binary run by hand) the store `microplan demo` writes, with its defaults.
        const std::string data = MICROPLAN_DATA_DIR;
        geo::usecases::build_demo_store({store_,
                                         {},
                                         {},
                                         data + "/standards/demo.csv",
                                         data,
                                         data + "/budget_scenarios/ecuador.csv",
                                         data + "/sectors/ecuador.csv"});
    }
    ~demo_store() { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
    std::string store_;
};

}  // namespace microplan::test
