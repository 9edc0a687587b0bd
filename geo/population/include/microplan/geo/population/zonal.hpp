#pragma once
// Raster zonal sums with exact fractional cell weights: a cell cut by a unit border counts
// with the fraction of its area inside the unit, so a partition of the country keeps the
// raster's total (cells are not given wholly to the unit holding their centre, as
// `v.to.rast` + `r.univar` or rasterio's `rasterize` do).
//
// Method: for each ring, every edge is split where it crosses grid lines; a piece inside
// cell (c, r) adds ∫ (v − r) du to that cell and du to every cell of column c on the other
// side of it (Green's theorem, area(P ∩ {v ≤ t}) = |∮ min(v, t) du|); a suffix sum down each
// column turns those into covered areas. Exact for polygons, O(edges + grid crossings +
// cells of the bounding box), no rasterisation, no sampling.
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/core/geos.hpp"

namespace microplan::geo {

struct zonal_options {
    int band = 1;
    unsigned threads = 0;  // 0 = all cores
};

struct zonal_result {
    std::vector<double> sums;               // one per geometry, in the raster's units (people)
    std::vector<double> nodata_cells;       // covered area of NoData cells per geometry, in cells
    double window_total = 0;                // sum of the valid cells of the window read
    std::size_t window_cells = 0;           // cells of the window read (0: the geometries miss the raster)
    std::size_t window_valid = 0;           // of which not NoData
    double window_min = 0, window_max = 0;  // of the valid cells (0 when none)
    std::string raster_crs;                 // name of the raster's CRS
    int width = 0, height = 0;              // raster size in cells
};

// Sums the raster at `path` (any GDAL raster, any CRS, north-up) over each geometry given
// in `geometry_crs` (reprojected to the raster's CRS with PROJ). NoData cells count as 0
// and are reported per geometry. Reads only the window covering the geometries. Throws
// format_error (unreadable, rotated grid, missing band) or crs_error.
zonal_result zonal_sums(const std::string& path, std::span<const GEOSGeometry* const> geometries,
                        const std::string& geometry_crs, const zonal_options& options = {});

// The fractional coverage of the cells of a grid by one polygonal geometry given in grid
// coordinates (u = column, v = row, cell (c, r) = [c, c+1] x [r, r+1]), for cells
// 0 <= c < width, 0 <= r < height: calls visit(c, r, fraction) once per cell with a
// non-zero fraction. Exposed for tests and for allocation.
void cell_coverage(const GEOSGeometry* grid_geometry, int width, int height,
                   const std::function<void(int, int, double)>& visit);

}  // namespace microplan::geo
