#pragma once
// CQL2-text, the Basic CQL2 conformance class of OGC API – Features Part 3: comparisons
// (=, <>, <, <=, >, >=) of a queryable with a literal, IS [NOT] NULL, AND / OR / NOT and
// parentheses. Strings in single quotes ('' escapes a quote), numbers, TRUE / FALSE;
// property names bare or in double quotes; keywords in any case.
//
// Thread safety: a parsed filter is immutable; evaluate it from any thread.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace microplan::service {

class cql2_filter {
public:
    // Parses `text`; `is_queryable(name)` says which properties may be named. Throws
    // request_error 400 naming the position and what was expected, or the unknown property.
    cql2_filter(std::string_view text, const std::function<bool(std::string_view)>& is_queryable);
    ~cql2_filter();
    cql2_filter(cql2_filter&&) noexcept;
    cql2_filter& operator=(cql2_filter&&) noexcept;

    // True when the feature's properties satisfy the filter (a comparison with a missing or
    // null property is false, as in SQL).
    [[nodiscard]] bool matches(const nlohmann::json& properties) const;

    struct node;

private:
    std::unique_ptr<node> root_;
};

}  // namespace microplan::service
