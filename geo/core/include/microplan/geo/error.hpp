#pragma once
// Bad *data* raises one of these; bad *use of the API* is an assertion.
// Every message names where the problem is (file, layer, feature, field) and
// which rule the data broke, so that a planner can find and fix it.
#include <optional>
#include <stdexcept>
#include <string>

namespace microplan::geo {

// Where in the input a problem sits. Empty members are left out of messages.
struct error_location {
    std::string file;
    std::string layer;
    std::optional<long long> feature;  // feature id (FID) in the source layer
    std::string field;
    std::string code;                  // unit code, when known

    [[nodiscard]] std::string describe() const;
};

// Root of all bad-data exceptions: `what()` is "<location>: <rule>: <detail>".
class error : public std::runtime_error {
public:
    error(error_location where, std::string rule, const std::string& detail);

    [[nodiscard]] const error_location& where() const noexcept { return where_; }
    [[nodiscard]] const std::string& rule() const noexcept { return rule_; }

private:
    error_location where_;
    std::string rule_;
};

// The file cannot be opened or read, the format or a field is unusable.
class format_error : public error { using error::error; };
// A geometry is of the wrong type, or cannot be repaired.
class geometry_error : public error { using error::error; };
// A CRS is missing, unknown, or the coordinates do not fit it.
class crs_error : public error { using error::error; };
// Codes and parent links break the zone > district > circuit nesting.
class hierarchy_error : public error { using error::error; };
// The planning store cannot be read or written.
class store_error : public error { using error::error; };

}  // namespace microplan::geo
