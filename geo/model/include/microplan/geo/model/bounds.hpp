#pragma once
// The physical bounds every number must respect when it enters microplan (a file, a table, a
// raster, a command-line option, a request body). A value outside them is not something a
// planner can mean: it is a typo, a unit mix-up or a hostile input, and letting it in makes
// computations loop for ever (a tiny people_per_unit asks for billions of establishments) or
// poisons what is served (a coordinate of 1e308 in a collection's extent). Readers refuse such
// values with an error naming the file, row, field, the value and the bound (BAD_INPUTS.md,
// "Magnitudes and loops"). Plain constants and pure functions: safe from any thread.
#include <string>

namespace microplan::geo::bounds {

// A closed interval [low, high] with the reason for its ends, for messages.
struct interval {
    double low;
    double high;
    const char* why;  // completes "must be between low and high: <why>"
};

// People in one unit, one table cell or one raster cell: never more than the world's
// population (8.1e9 in 2024; the UN's high projection peaks below 1.1e10).
inline constexpr interval people{0, 1e10, "no place holds more people than the world (8.1e9 in 2024)"};
// People one establishment serves (rule population): at least one, otherwise a unit would need
// more establishments than it has people; at most everyone on Earth.
inline constexpr interval people_per_establishment{
    1, 1e10, "an establishment serves at least one person and at most the world's population"};
// Establishments every unit must have (rule per_unit): standards ask for a handful; a thousand
// per unit is beyond any standard and keeps the ideal offer countable.
inline constexpr interval establishments_per_unit{0, 1000, "no standard asks for more than 1,000 per unit"};
// Places of one establishment (patients, pupils, officers): at most the world's population.
inline constexpr interval capacity{0, 1e10, "an establishment cannot serve more than the world's population"};
// Staff of one establishment: the largest hospitals employ some tens of thousands.
inline constexpr interval staff{0, 1e5, "no establishment employs more than 100,000 people"};
// Minutes of travel to a service: a week is beyond any access standard.
inline constexpr interval travel_minutes{0, 7 * 24 * 60, "no access standard allows more than a week of travel"};
// Kilometres to a service: no two places on Earth are farther apart than half its circumference.
inline constexpr interval distance_km{0, 20040, "no two places on Earth are more than 20,040 km apart"};
// US dollars for one establishment (to build or to run for a year): the costliest buildings ever
// made cost a few 1e10; a trillion is beyond any plan, and keeps sums of costs finite.
inline constexpr interval cost_usd{0, 1e12, "no establishment costs more than a trillion USD"};
// A yearly budget in US dollars: at most the world's yearly product (about 1e14).
inline constexpr interval budget_usd{0, 1e14, "no budget exceeds the world's yearly product (about 1e14 USD)"};
// Yearly budget growth: from halving to doubling every year.
inline constexpr interval budget_growth{-0.5, 1, "a yearly budget growth between -50 % and +100 %"};
// Sector priority index: ratios beyond a million make the smallest sector's share vanish.
inline constexpr interval priority{0, 1e6, "priorities are ratios between sectors; keep them within 1e6"};
// Years of census figures, projections and plans: the first censuses to the horizon of any
// published projection.
inline constexpr interval year{1800, 2200, "census and projection years lie between 1800 and 2200"};
// Years a plan simulates (first to last): a century is beyond any planning horizon.
inline constexpr int max_plan_years = 100;
// Establishments one plan may have to build (every sector, the whole horizon): more than the
// schools, clinics and police stations of the largest countries together. The closing loop
// builds one at a time, so this bound is also the bound on its work.
inline constexpr double max_plan_establishments = 1e7;
// Travel speeds in km/h (land cover, roads): faster than any road vehicle is a unit mix-up (m/s
// or m/h for km/h), and makes every cost surface collapse to zero.
inline constexpr interval speed_kmh{0, 500, "no road or land-cover speed exceeds 500 km/h"};
// Longitude and latitude in WGS 84.
inline constexpr interval longitude{-180, 180, "longitudes lie between -180 and 180"};
inline constexpr interval latitude{-90, 90, "latitudes lie between -90 and 90"};

// True when `value` is a finite number inside `range` (ends included).
[[nodiscard]] constexpr bool within(double value, const interval& range) noexcept {
    return value >= range.low && value <= range.high;  // false for NaN
}

// "'<value>' must be between <low> and <high>: <why>", for messages.
[[nodiscard]] std::string violation(double value, const interval& range);
// The same for a value as written (text that is a number outside the range).
[[nodiscard]] std::string violation(const std::string& written, const interval& range);

}  // namespace microplan::geo::bounds
