#include "microplan/geo/error.hpp"

namespace microplan::geo {

std::string error_location::describe() const {
    std::string out;
    auto add = [&out](const std::string& part) {
        if (!out.empty()) out += ", ";
        out += part;
    };
    if (!file.empty())
        add((file.starts_with("postgresql://") || file.starts_with("postgres://") ? "database '" : "file '") + file +
            "'");
    if (!layer.empty()) add("layer '" + layer + "'");
    if (feature) add("feature " + std::to_string(*feature));
    if (!code.empty()) add("code '" + code + "'");
    if (!field.empty()) add("field '" + field + "'");
    return out;
}

namespace {
std::string compose(const error_location& where, const std::string& rule, const std::string& detail) {
    std::string place = where.describe();
    std::string msg = place.empty() ? std::string{} : place + ": ";
    msg += rule;
    if (!detail.empty()) msg += ": " + detail;
    return msg;
}
}  // namespace

error::error(error_location where, std::string rule, const std::string& detail)
    : std::runtime_error(compose(where, rule, detail)),
      where_(std::move(where)),
      rule_(std::move(rule)),
      detail_(detail) {}

}  // namespace microplan::geo
