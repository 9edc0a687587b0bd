#pragma once
// The codification table of the planning levels (SENPLADES): one row per subcircuit
// with its zone, district, circuit and the province, canton and parish it lies in,
// places given by NAME. Read through GDAL's CSV driver (`,` or `;`, quoted fields).
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

struct codification_row {
    long long line = 0;       // 1-based data row, for messages
    std::string zone;         // "Z8"
    std::string province;     // name (or subzone: DMQ, DMG)
    std::string canton;       // name
    std::string parish;       // name
    std::string parish_code;  // DPA code when the table has it
    std::string district;     // "09D03"
    std::string district_name;
    std::string circuit;  // "09D03C03"
    std::string circuit_name;
};

// Which cantons make each district, as matched by name.
struct canton_districts {
    std::map<std::string, std::vector<std::string>> districts_of_canton;  // canton code -> district codes
    std::map<std::string, std::vector<std::string>> cantons_of_district;  // district code -> canton codes
    findings report;  // unmatched rows (table side) and unmatched cantons (layer side)
};

// An urban parish of a city (INEC classifier): it has no polygon of its own, the city-seat
// parish holds it ("BELLAVISTA" 010101 -> CUENCA 010150).
struct urban_parish {
    std::string code;       // 010101
    std::string name;       // BELLAVISTA
    std::string seat_code;  // 010150
};

// Reads the classifier (CSV with the urban parish code and name and the seat parish code).
std::vector<urban_parish> read_urban_parishes(const std::string& path);

class codification_table {
public:
    // Throws format_error naming the file and the missing column.
    static codification_table read(const std::string& path);

    [[nodiscard]] const std::vector<codification_row>& rows() const noexcept { return rows_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    // District code -> zone code; a district listed in two zones is reported.
    [[nodiscard]] std::map<std::string, std::string> zone_of_district(findings& report) const;
    [[nodiscard]] std::map<std::string, std::string> district_names() const;

    // Matches the table's (province, canton name) pairs to canton units, within the
    // province that the district code names (first two digits), tolerant to case,
    // accents, abbreviations and parentheses.
    [[nodiscard]] canton_districts match_cantons(const unit_layer& cantons) const;

    // Matches each row's parish to a parish unit: by DPA code when the table has it,
    // else by name within the row's canton; a name that is an urban parish of the canton
    // (`urban`, "CUENCA_BELLAVISTA" or "CARCELEN") resolves to its seat parish. Returns row
    // index -> parish code; every unmatched row is reported.
    [[nodiscard]] std::map<std::size_t, std::string> match_parishes(
        const unit_layer& parishes, const canton_districts& cantons, findings& report,
        const std::vector<urban_parish>* urban = nullptr) const;

private:
    std::string path_;
    std::vector<codification_row> rows_;
};

}  // namespace microplan::geo
