#include "microplan/geo/model/bounds.hpp"

#include <charconv>
#include <cstdio>

namespace microplan::geo::bounds {

namespace {

// A number as a planner writes it: integers without a fraction, large values in exponent form.
std::string number_text(double v) {
    char buf[64];
    if (v == static_cast<double>(static_cast<long long>(v)) && v > -1e15 && v < 1e15)
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
        std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

std::string violation(const std::string& written, const interval& range) {
    return "'" + written + "' must be between " + number_text(range.low) + " and " + number_text(range.high) + ": " +
           range.why;
}

std::string violation(double value, const interval& range) {
    char buf[64];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;  // the shortest text that reads back exactly
    return violation(std::string(buf, end), range);
}

}  // namespace microplan::geo::bounds
