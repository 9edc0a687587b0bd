#pragma once
// Reads territorial units from any GDAL vector source: field mapping with
// auto-detection, CRS handling (PROJ, lon/lat normalised), geometry checks and repair.
#include <string>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

struct field_mapping {
    std::string code;    // "" = auto-detect
    std::string name;    // "" = auto-detect (optional field)
    std::string parent;  // "" = auto-detect (optional field)
};

struct import_options {
    std::string path;   // anything GDAL opens, /vsigzip/ and /vsizip/ included
    std::string layer;  // "" = the first layer
    level lvl = level::circuit;
    field_mapping fields;
    std::string source_crs;  // assigns a CRS to data without one, or overrides it
    bool swap_xy = false;    // coordinates are (lat, lon) / (northing, easting)
    std::string analysis_crs = "EPSG:32717";
    std::string source_encoding = "ISO-8859-1";  // for attribute text that is not UTF-8
    unsigned threads = 0;                        // 0 = all cores
};

struct import_result {
    unit_layer layer;
    findings report;
    std::string driver;
    std::string layer_name;
    std::string source_crs;     // name of the CRS the data was read in
    field_mapping used_fields;  // the fields actually read
    std::size_t vertices = 0;
};

// Reads and checks every feature. Problems that make the layer unusable (unreadable or
// unsupported file, empty layer, no code field, empty or duplicate codes, no CRS, swapped
// axes, non-polygon features) throw an error naming file, layer, feature, field and rule.
// Repairs (invalid geometry made valid, Z/M dropped, polygon parts kept from a collection,
// Latin-1 text recoded) are reported as findings.
import_result read_units(const import_options& options);

// The code as microplan stores it: trimmed, upper case; numeric DPA codes padded with
// the leading zero that spreadsheets drop ("90150" -> "090150" for parishes).
std::string normalise_code(level l, std::string_view raw);

}  // namespace microplan::geo
