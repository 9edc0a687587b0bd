#pragma once
// Reading the national base's sources (design/national.hpp) up front, so that
// design::build_national computes without opening a file: parishes, cantons and provinces
// (read_units), the codification table, the urban parish classifier, the census table and its
// rows without a polygon, the district offices, the legal zoning, the school registry's
// recorded zones, the official circuit polygons and the population rasters. Optional sources left empty are skipped.
// Throws format_error / crs_error naming the file on unreadable input. Not thread-safe to share a result being built;
// the result is immutable once returned.
#include <string>

#include "microplan/geo/design/national.hpp"

namespace microplan::geo::usecases {

design::national_inputs read_national_inputs(const design::national_sources& sources, const std::string& analysis_crs,
                                             unsigned threads = 0);

// The legal zoning (CSV: level, code, name, zone, source; e.g. data/ecuador/legal_zones.csv).
// Throws format_error on a missing column, an unknown level or a malformed code.
std::vector<design::legal_zone> read_legal_zones(const std::string& path);

}  // namespace microplan::geo::usecases
