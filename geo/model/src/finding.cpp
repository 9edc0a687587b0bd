#include "microplan/geo/model/finding.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace microplan::geo {

std::string_view severity_name(severity s) {
    switch (s) {
        case severity::info:
            return "info";
        case severity::warning:
            return "warning";
        case severity::error:
            return "error";
    }
    return "?";
}

finding cell_finding(severity sev, std::string rule, const std::string& file, long long line, const std::string& column,
                     const std::string& message) {
    finding f;
    f.sev = sev;
    f.rule = std::move(rule);
    f.feature = line;
    f.message = file + ", line " + std::to_string(line) + ", column " + column + ": " + message;
    return f;
}

std::string findings::error_lines() const {
    std::string out;
    for (const auto& f : items)
        if (f.sev == severity::error) out += "\n  " + f.message + " [" + f.rule + "]";
    return out;
}

std::string finding::to_text() const {
    std::string out = std::string(severity_name(sev)) + " [" + rule + "]";
    if (lvl || !code.empty()) {
        out += " ";
        if (lvl) out += std::string(level_name(*lvl)) + (code.empty() ? "" : " ");
        out += code;
    }
    if (feature) out += " (feature " + std::to_string(*feature) + ")";
    out += ": " + message;
    if (lon && lat) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " at %.5f, %.5f", *lon, *lat);
        out += buf;
    }
    return out;
}

void to_json(nlohmann::json& j, const finding& f) {
    j = nlohmann::json{{"severity", severity_name(f.sev)}, {"rule", f.rule}, {"message", f.message}};
    if (f.lvl) j["level"] = level_name(*f.lvl);
    if (!f.code.empty()) j["code"] = f.code;
    if (f.feature) j["feature"] = *f.feature;
    if (f.lon && f.lat) j["location"] = {*f.lon, *f.lat};
    if (f.area_km2) j["area_km2"] = *f.area_km2;
}

std::size_t findings::count(severity s) const {
    return static_cast<std::size_t>(
        std::count_if(items.begin(), items.end(), [s](const finding& f) { return f.sev == s; }));
}

}  // namespace microplan::geo
