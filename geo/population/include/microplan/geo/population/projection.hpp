#pragma once
// Population projections by year: INEC's cantonal projections (a wide table: province and
// canton NAMES, one column per year) matched to canton units, and unit populations carried
// from a base year to other years by their canton's growth. Every age band of a unit is
// scaled by the same factor: projection(canton, year) / projection(canton, base year).
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/population/population.hpp"

namespace microplan::geo {

struct projection_row {
    long long line = 0;
    std::string province, canton;
    std::map<int, double> people;  // year -> people
};

struct projection_table {
    std::string path;
    std::vector<int> years;
    std::vector<projection_row> rows;
};

// Reads the wide table (columns provincia/province, canton/cantón and 4-digit years).
// Throws format_error naming the file and the missing column.
projection_table read_projections(const std::string& path);

struct canton_projection {
    std::map<std::string, std::map<int, double>> by_canton;  // canton code -> year -> people
    findings report;  // table rows without a canton, cantons without a row, ambiguous names
};

// Matches rows to cantons by name within the province (province names from `provinces`,
// whose codes are the cantons' first two digits), tolerant to case, accents and
// abbreviations.
canton_projection match_projections(const projection_table& table, const unit_layer& cantons,
                                    const unit_layer& provinces);

// The population of every year in [first_year, last_year] from the base year's values:
// `canton_of_unit` gives each unit's canton code. Units without a projected canton keep
// their base values (reported once with their count).
std::map<int, population_values> project_values(const population_values& base, int base_year,
                                                const std::map<std::string, std::string>& canton_of_unit,
                                                const canton_projection& projection, int first_year, int last_year,
                                                findings& report);

}  // namespace microplan::geo
