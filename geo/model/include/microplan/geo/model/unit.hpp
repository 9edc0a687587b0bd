#pragma once
// One territorial unit: a zone, district, circuit, province, canton or parish.
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/model/level.hpp"

namespace microplan::geo {

// A unit with its MultiPolygon in WGS 84 (lon, lat) and its measures taken in the
// analysis CRS. Movable, not copyable; safe to read from many threads.
struct unit {
    level lvl = level::circuit;
    std::string code;
    std::string name;
    std::string parent_code;   // "" when unknown
    geos::geom_ptr geometry;   // MultiPolygon, EPSG:4326, lon/lat
    geos::geom_ptr projected;  // the same in the analysis CRS (may be null once stored)
    double area_km2 = 0;
    double perimeter_km = 0;
    std::optional<long long> source_fid;  // feature id in the source layer
};

// A set of units of one level, in input order.
struct unit_layer {
    level lvl = level::circuit;
    std::vector<unit> units;
};

}  // namespace microplan::geo
