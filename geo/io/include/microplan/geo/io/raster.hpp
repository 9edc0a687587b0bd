#pragma once
// Rasters in and out through GDAL: cost (friction) and population rasters read into the
// model's grids, results written as tiled, compressed GeoTIFFs. Each call opens and closes its
// own dataset: safe to call from several threads on different files.
#include <cstdint>
#include <span>
#include <string>

#include "microplan/geo/model/raster.hpp"

namespace microplan::geo {

// Reads band 1 of a raster (GDAL) as costs: no-data and negative values become impassable.
// A band described "elevation" (metres) and one described "walking" (1 walked, 0 driven), as
// write_cost_surface writes them, become the surface's elevation and walking cells.
// Throws format_error naming the file when it cannot be read or is not north-up.
cost_surface read_cost_raster(const std::string& path);

// Writes a whole surface, read back equal by read_cost_raster: a Float32 GeoTIFF whose band 1
// is the cost (minutes per cell, no-data where impassable), then "elevation" and "walking"
// bands when the surface has them. Throws format_error naming the file.
void write_cost_surface(const std::string& path, const cost_surface& surface);

// Writes a Float32 GeoTIFF (tiled, deflate), `nodata` where a value is not finite.
void write_float_raster(const std::string& path, const grid& g, std::span<const float> values, double nodata = -9999);
// Writes an Int32 GeoTIFF with `nodata` for -1.
void write_int_raster(const std::string& path, const grid& g, std::span<const std::int32_t> values,
                      std::int32_t nodata = -1);

// Reads band 1 of a population raster and the centres of its occupied cells in `centres_crs`
// (e.g. the analysis CRS, metres). Throws format_error / crs_error naming the file.
population_grid read_population_grid(const std::string& path, const std::string& centres_crs);

}  // namespace microplan::geo
