#pragma once
// Findings: what import and validation report about the data. Expected problems in
// user data are values, not exceptions, so that one run reports all of them.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/level.hpp"

namespace microplan::geo {

enum class severity { info, warning, error };
std::string_view severity_name(severity s);

struct finding {
    severity sev = severity::warning;
    std::string rule;  // stable identifier, e.g. "geometry.repaired"
    std::optional<level> lvl;
    std::string code;                  // unit code, when the finding is about one unit
    std::optional<long long> feature;  // source feature id, when known
    std::string message;               // one readable sentence
    std::optional<double> lon, lat;    // a point to look at (WGS 84)
    std::optional<double> area_km2;    // size of the problem, when it has one

    // "error [hierarchy.parent_missing] district 17D06: ..."
    [[nodiscard]] std::string to_text() const;
};

void to_json(nlohmann::json& j, const finding& f);

// A finding about one cell of a table: "FILE, line N, column C: message", the line as its feature.
finding cell_finding(severity sev, std::string rule, const std::string& file, long long line, const std::string& column,
                     const std::string& message);

struct findings {
    std::vector<finding> items;
    void add(finding f) { items.push_back(std::move(f)); }
    [[nodiscard]] std::size_t count(severity s) const;
    [[nodiscard]] bool has_errors() const { return count(severity::error) > 0; }
    // Every error as "\n  message [rule]", for an error that lists them.
    [[nodiscard]] std::string error_lines() const;
    void append(const findings& other) { items.insert(items.end(), other.items.begin(), other.items.end()); }
};

}  // namespace microplan::geo
