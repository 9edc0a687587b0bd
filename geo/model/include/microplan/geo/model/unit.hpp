#pragma once
// One territorial unit: a zone, district, circuit, province, canton or parish.
#include <array>
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

// A unit's WGS 84 polygons as plain coordinates: polygons -> rings (exterior first, then
// holes) -> (lon, lat), without the closing point. For code that must not touch GEOS (serving).
using ring_coordinates = std::vector<std::array<double, 2>>;
using polygon_coordinates = std::vector<ring_coordinates>;
std::vector<polygon_coordinates> lonlat_polygons(const unit& u);

// A set of units of one level, in input order.
struct unit_layer {
    level lvl = level::circuit;
    std::vector<unit> units;
};

}  // namespace microplan::geo
