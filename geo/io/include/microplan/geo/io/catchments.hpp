#pragma once
// Catchment areas as polygons: the nearest-establishment raster of a travel-time run turned
// into one MultiPolygon per establishment (GDALPolygonize, then dissolved) in a GeoPackage.
#include <cstdint>
#include <span>
#include <string>

#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/raster.hpp"

namespace microplan::geo {

// Catchment polygons (GDALPolygonize of the nearest-establishment raster) in a GeoPackage
// layer `catchments`: establishment fid, code, name, people and area.
void write_catchments(const std::string& path, const grid& g, std::span<const std::int32_t> nearest,
                      const establishment_points& sources, const population_grid* pop = nullptr);

}  // namespace microplan::geo
