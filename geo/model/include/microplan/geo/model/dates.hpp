#pragma once
// Dates as planners' tables write them (issue 20, history): an establishment opened, closed or
// rehabilitated; a project's start and end; the date a coverage is computed *as of*. Kept as ISO
// text, "YYYY-MM-DD" or "YYYY-MM" (a month: its first day when compared), so that the store and
// reports hold what the source said.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace microplan::geo {

// "2026-03-15", "2026-03", "2026/03/15" (GDAL's date fields), "15/03/2026" (day first, as Ecuador
// writes dates), and a date-time's date part ("2026-03-15T10:00:00", "2026/03/15 10:00:00") ->
// "2026-03-15" or "2026-03" when it is a real date (years 1800-2200); nullopt otherwise.
std::optional<std::string> parse_date(std::string_view text);

// The day a parsed date stands for when compared: "2026-03" -> "2026-03-01"; "" stays "".
std::string date_day(std::string_view iso);

// Whether `date` (a parsed date, "" = unknown) is on or before `as_of` (a parsed date); an
// unknown date is not.
bool on_or_before(std::string_view date, std::string_view as_of);

// Whether a value that holds from `period` (a year "2022", a month "2024-06" or a day, as parsed;
// "" = of no date) is known on `as_of` (a parsed date): a year's value is known all that year.
bool period_known(std::string_view period, std::string_view as_of);

// A month as YYYY-MM (or MM/YYYY, as parse_date reads it) -> (year, month); nullopt otherwise.
std::optional<std::pair<int, int>> parse_month(std::string_view text);

// "2026-06" for (2026, 6).
std::string month_text(int year, int month);

// The last day of a month: (2026, 2) -> "2026-02-28".
std::string month_end(int year, int month);

// The year of a parsed date ("2026-03-15" -> 2026).
int date_year(std::string_view iso);

}  // namespace microplan::geo
