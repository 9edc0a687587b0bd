#pragma once
// Reads establishments from any GDAL source: point layers (GeoPackage, Shapefile, GeoJSON,
// FlatGeobuf...) or tables with longitude/latitude columns (CSV with ',' ';' or tab
// separators and decimal commas, spreadsheets), with field mapping and auto-detection.
#include <string>
#include <vector>

#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/finding.hpp"

namespace microplan::geo {

// Source fields for microplan's establishment fields; "" = auto-detect (docs/establishments-population.md lists the
// names recognised), "-" = the source has no such field.
struct establishment_fields {
    std::string id, name, sector, typology, capacity, condition, staff, status, lon, lat;
};

struct establishment_import_options {
    std::string path;
    std::string layer;
    establishment_fields fields;
    std::string sector;      // the sector of every row when the source has no sector field
    std::string typology;    // the typology of rows without one
    std::string status;      // the status of rows without one (default existing)
    std::string source_crs;  // CRS of the coordinates when the source has none (default EPSG:4326)
    bool swap_xy = false;    // the source is (lat, lon)
    std::string source_encoding = "ISO-8859-1";
    // The CRS whose area of use the points should fall in (the store's analysis CRS): points
    // that fit it only read (lat, lon) are reported as axes swapped.
    std::string analysis_crs = "EPSG:32717";
};

struct establishment_import_result {
    std::vector<establishment> rows;
    findings report;
    std::string driver;
    std::string layer_name;
    std::string source_crs;
    establishment_fields used_fields;  // the fields actually read ("" = none)
    bool from_columns = false;         // coordinates came from lon/lat columns
};

// Reads every row; rows with unusable values are kept and reported (their coordinates NaN
// when they cannot be read). Coordinates come out WGS 84 (lon, lat) whatever axis order the
// layer's CRS declares (io/crs.hpp). Throws format_error / crs_error, naming file, layer and
// field, when the source cannot be used at all: unreadable, no coordinates, a mapped field
// that does not exist, no sector, non-point geometries, an unknown CRS, latitude and
// longitude swapped (the read_units check, on the median point).
establishment_import_result read_establishments(const establishment_import_options& options);

// Parses a number as offices write it: "12.5", "12,5", " 1 234,5 "; nullopt when not a number.
std::optional<double> parse_number(std::string_view text);

}  // namespace microplan::geo
