#include "microplan/geo/model/dates.hpp"

#include <cstdio>

#include "microplan/geo/model/bounds.hpp"

namespace microplan::geo {

namespace {

bool digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

int number(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

std::optional<std::string> checked(int year, int month, int day) {
    if (!bounds::within(year, bounds::year) || month < 1 || month > 12) return std::nullopt;
    char buf[40];  // room for any int in each field: the compiler does not see the bounds checked above
    if (day == 0) {
        std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
        return std::string(buf);
    }
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day < 1 || day > days[month - 1] || (month == 2 && day == 29 && !leap)) return std::nullopt;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return std::string(buf);
}

}  // namespace

std::optional<std::string> parse_date(std::string_view text) {
    // A date-time keeps its date part.
    if (text.size() > 10 && (text[10] == 'T' || text[10] == ' ')) text = text.substr(0, 10);
    if (text.size() == 7 && digits(text.substr(0, 4)) && (text[4] == '-' || text[4] == '/') &&
        digits(text.substr(5, 2)))
        return checked(number(text.substr(0, 4)), number(text.substr(5, 2)), 0);
    if (text.size() != 10) return std::nullopt;
    const char s = text[4];
    if ((s == '-' || s == '/') && text[7] == s && digits(text.substr(0, 4)) && digits(text.substr(5, 2)) &&
        digits(text.substr(8, 2)))
        return checked(number(text.substr(0, 4)), number(text.substr(5, 2)), number(text.substr(8, 2)));
    const char d = text[2];
    if ((d == '/' || d == '-') && text[5] == d && digits(text.substr(0, 2)) && digits(text.substr(3, 2)) &&
        digits(text.substr(6, 4)))
        return checked(number(text.substr(6, 4)), number(text.substr(3, 2)), number(text.substr(0, 2)));
    return std::nullopt;
}

std::string date_day(std::string_view iso) {
    if (iso.size() == 7) return std::string(iso) + "-01";
    return std::string(iso);
}

bool on_or_before(std::string_view date, std::string_view as_of) {
    if (date.empty()) return false;
    return date_day(date) <= date_day(as_of);
}

bool period_known(std::string_view period, std::string_view as_of) {
    if (period.empty()) return true;
    const std::string day = date_day(as_of);
    return period <= std::string_view(day).substr(0, period.size());
}

std::optional<std::pair<int, int>> parse_month(std::string_view text) {
    std::string iso(text);
    if (text.size() == 7 && (text[2] == '/' || text[2] == '-'))  // 03/2026
        iso = std::string(text.substr(3, 4)) + "-" + std::string(text.substr(0, 2));
    auto d = parse_date(iso);
    if (!d || d->size() != 7) return std::nullopt;
    return std::pair{number(std::string_view(*d).substr(0, 4)), number(std::string_view(*d).substr(5, 2))};
}

std::string month_text(int year, int month) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
    return buf;
}

std::string month_end(int year, int month) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int last = month == 2 && leap ? 29 : days[(month + 11) % 12];
    char out[40];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, last);
    return out;
}

int date_year(std::string_view iso) {
    return iso.size() >= 4 && digits(iso.substr(0, 4)) ? number(iso.substr(0, 4)) : 0;
}

}  // namespace microplan::geo
