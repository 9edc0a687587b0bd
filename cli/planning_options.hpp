#pragma once
// Flags the planning commands share (coverage, report, plan, indicators): the store, a
// catalogue instead of the stored one, the population year, the output format and file, and
// the budget scenario of a plan; and where their results go (stdout or --output).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "microplan/geo/usecases/planning.hpp"

namespace microplan::cli {

struct planning_args {
    microplan::geo::usecases::planning_request request;
    std::string format = "json";
    std::string output;

    void add(CLI::App& app, bool with_format = true);
    [[nodiscard]] bool csv() const { return format == "csv"; }
};

struct plan_args {
    microplan::geo::usecases::scenario_request scenario;
    void add(CLI::App& app);
};

// Writes to `output` (a file, with a line on stderr) or stdout when it is "" or "-".
void emit(const std::string& text, const std::string& output);

// JSON as the planning commands print it: indented by 2, with a final newline.
inline std::string dump(const nlohmann::json& j) { return j.dump(2) + "\n"; }

}  // namespace microplan::cli
