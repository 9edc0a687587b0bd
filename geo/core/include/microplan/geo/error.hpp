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
    std::string code;  // unit code, when known

    [[nodiscard]] std::string describe() const;
};

// Root of all bad-data exceptions: `what()` is "<location>: <rule>: <detail>".
class error : public std::runtime_error {
public:
    error(error_location where, std::string rule, const std::string& detail);

    [[nodiscard]] const error_location& where() const noexcept { return where_; }
    [[nodiscard]] const std::string& rule() const noexcept { return rule_; }
    // The detail alone, so that a caller who knows more about the place (a file, a layer) can
    // throw the same error again with a fuller location.
    [[nodiscard]] const std::string& detail() const noexcept { return detail_; }

private:
    error_location where_;
    std::string rule_;
    std::string detail_;
};

// The file cannot be opened or read, the format or a field is unusable.
class format_error : public error {
    using error::error;
};
// A geometry is of the wrong type, or cannot be repaired.
class geometry_error : public error {
    using error::error;
};
// A CRS is missing, unknown, or the coordinates do not fit it.
class crs_error : public error {
    using error::error;
};
// Codes and parent links break the zone > district > circuit nesting.
class hierarchy_error : public error {
    using error::error;
};
// The planning store cannot be read or written.
class store_error : public error {
    using error::error;
};

// Runs `fn` and returns what it returns; an error it throws without a file (from a library
// layer that does not know one: PROJ, GEOS) is thrown again, with the same type, rule and
// detail, at `where`.
template <typename Fn>
decltype(auto) at_location(const error_location& where, Fn&& fn) {
    try {
        return fn();
    } catch (const error& e) {
        if (!e.where().file.empty()) throw;
        if (dynamic_cast<const crs_error*>(&e)) throw crs_error(where, e.rule(), e.detail());
        if (dynamic_cast<const geometry_error*>(&e)) throw geometry_error(where, e.rule(), e.detail());
        if (dynamic_cast<const format_error*>(&e)) throw format_error(where, e.rule(), e.detail());
        if (dynamic_cast<const hierarchy_error*>(&e)) throw hierarchy_error(where, e.rule(), e.detail());
        if (dynamic_cast<const store_error*>(&e)) throw store_error(where, e.rule(), e.detail());
        throw;
    }
}

}  // namespace microplan::geo
