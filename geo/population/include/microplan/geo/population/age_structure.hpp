#pragma once
// Age bands estimated from an age structure: where a census gives people by single year of
// age only for a coarser area (Ecuador 2022: province × age × sex), the people of an age band
// in a finer unit are estimated as the unit's total × the share of that band in its area's
// structure. It is an estimate (stored with its own method, e.g. province_age_structure_2022):
// it assumes every unit of an area has the area's age structure.
//
// Bands are written "A-B" (ages A to B inclusive) or "A+" (A and older); the shares of bands
// that partition the ages (0-4, 5-17, 18-64, 65+) add up to 1, so those bands add up to the
// unit's total.
//
// Pure computation apart from read_age_structure (a table reader on GDAL); deterministic;
// the results are values, safe to share once built.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo {

// An age band: ages `from` to `to` inclusive (`to` empty: and older).
struct age_band {
    std::string label;
    int from = 0;
    std::optional<int> to;
};
// "0-3" -> {0, 3}; "65+" -> {65, open}; nullopt for anything else ("total", "4-5+6-17").
std::optional<age_band> parse_age_band(std::string_view label);

// The usual planning bands: child development (0-3), early childhood (0-4), initial and
// basic education (4-5, 5-14, 6-17, 5-17), upper secondary (15-17), working age (18-64) and
// the elderly (65+).
const std::vector<std::string>& planning_age_bands();

// People by single year of age per area, as the census table writes the area (a name).
struct age_structure_table {
    std::string path;
    std::map<std::string, std::map<int, double>> people;  // area as written -> age -> people
    std::map<std::string, long long> first_line;          // area -> its first data line
    int oldest = 0;                                       // the last age row (an open "and older")
};

// Reads a table with an area column (provincia/province/area), an age column (edad/age,
// whole years; the last age holds everyone that old or older) and a people column
// (total/people). Throws format_error naming the file and the column on a missing column, an
// age that is not a whole number or a count that is not a number of people.
age_structure_table read_age_structure(const std::string& path);

// The age structure of each area code, matched by name.
struct area_age_structure {
    std::map<std::string, std::map<int, double>> by_code;  // area code -> age -> people
    std::map<int, double> national;                        // the table's national rows (or the sum)
    int oldest = 0;
    findings report;  // names repaired, areas without structure, table rows without an area
};

// Matches the table's areas to `names` (code -> name, e.g. the provinces), tolerant to case
// and accents; a name with a broken character (U+FFFD, or its Latin-1 mojibake "ï¿½") matches
// the only name that fits with one letter in its place, reported. The row set named like
// "Total Nacional" is the national structure (summed from the areas when absent).
area_age_structure match_age_structure(const age_structure_table& table,
                                       const std::map<std::string, std::string>& names);

// The share of each band in a structure (people of the band / all people).
std::map<std::string, double> band_shares(const std::map<int, double>& people, int oldest,
                                          const std::vector<std::string>& bands);

// The bands of every unit: totals[code] × share of the band in the structure of the unit's
// area (`area_of(code)`), or in the national structure when the area has none (reported once
// per area with the count of units and people). `bands` must parse (parse_age_band).
struct band_estimate {
    population_values values;  // band -> code -> people (the totals are not repeated)
    findings report;
};
band_estimate estimate_bands(const std::map<std::string, double>& totals,
                             const std::map<std::string, std::string>& area_of, const area_age_structure& structure,
                             const std::vector<std::string>& bands, level lvl);

}  // namespace microplan::geo
