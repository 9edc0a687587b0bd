#pragma once
// What a client sends in a request target, parsed strictly: path segments and query
// parameters percent-decoded (bad escapes, NUL bytes, "." and ".." segments and encoded
// slashes are refused), and typed readers for the parameters endpoints share (integers in a
// range, bbox). Every refusal is a request_error 400 naming the parameter and the rule.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace microplan::service {

struct parsed_target {
    std::vector<std::string> segments;  // "/collections/circuits/items" -> collections, circuits, items
    std::vector<std::pair<std::string, std::string>> params;
    std::string raw_query;  // undecoded, without '?'

    // The value of a parameter (the first when repeated); nullopt when absent.
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
    [[nodiscard]] bool has(std::string_view name) const { return get(name).has_value(); }
};

parsed_target parse_target(std::string_view target);

// "%C3%B1" -> "ñ"; '+' becomes a space when `plus_is_space`. nullopt on a bad escape or NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
std::string percent_encode(std::string_view text);

// A whole integer in [min, max]; request_error 400 otherwise.
std::int64_t parse_integer(std::string_view name, std::string_view text, std::int64_t min, std::int64_t max);
// A finite number; request_error 400 otherwise.
double parse_number(std::string_view name, std::string_view text);
// A yes/no parameter: true or 1, false or 0, absent = false (anything else is a mistake, not a
// "no": request_error 400).
bool parse_flag(std::string_view name, const std::optional<std::string>& text);
// "minx,miny,maxx,maxy" (or 6 numbers with heights, which are ignored): finite, min <= max.
std::array<double, 4> parse_bbox(std::string_view name, std::string_view text);

}  // namespace microplan::service
