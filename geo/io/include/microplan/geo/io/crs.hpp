#pragma once
// The one CRS resolver of the readers: which CRS a layer's coordinates are in and in which
// axis order GDAL hands them over, so that every reader gives PROJ (east, north) coordinates,
// and the check that catches data written latitude first. Stateless functions, safe from any
// thread (PROJ objects are made on the calling thread's context).
#include <ogr_spatialref.h>

#include <string>

#include "microplan/geo/error.hpp"

namespace microplan::geo {

struct resolved_crs {
    std::string definition;   // what proj::transformer takes: the user's text or the layer's WKT2
    std::string name;         // "WGS 84 / UTM zone 17S", for messages and import records
    bool swap_xy = false;     // coordinates arrive (north, east): swap them before transforming
    bool geographic = false;  // degrees: the axis-order check applies
    bool assumed = false;     // neither the layer nor the user gave a CRS: the fallback is used
};

// The CRS of a layer's coordinates. `user_crs` (--s-srs) wins over the layer's own; `swap_xy`
// (--swap-xy) says the data come north first. When the layer's own CRS is used and GDAL hands
// the coordinates over in that CRS's authority order (a GML layer in EPSG:4326 read without
// GDAL's axis inversion, for example), a CRS that declares latitude (or northing) first is
// swapped, so that EPSG:4326 comes out (lon, lat). With no CRS at all: `fallback` when given
// (assumed = true), else crs_error "no CRS". Throws crs_error "unknown CRS", at `where`, when
// PROJ does not know the CRS.
resolved_crs resolve_layer_crs(const OGRSpatialReference* layer_srs, const std::string& user_crs, bool swap_xy,
                               const error_location& where, const std::string& fallback = {});

// True when GDAL hands the layer's coordinates over north first (latitude, northing): the data
// axis that comes first is the CRS's north axis.
bool arrives_north_first(const OGRSpatialReference& srs);

// The analysis CRS measures areas and lengths, so it must be projected: in a geographic CRS
// (degrees) an area is in square degrees, which would be stored as km² without a word. Throws
// crs_error "analysis CRS in degrees" (or "unknown CRS"), at `where`.
void check_analysis_crs(const std::string& crs, const error_location& where);

// Whether (x, y) lies inside the area of use of `crs` widened by `margin_deg` (lon/lat degrees).
bool inside_area_of_use(double lon, double lat, const std::string& crs, double margin_deg);

// The check that catches latitude and longitude swapped: (cx, cy) is a point representative
// of the layer read as (lon, lat) from `source`, `in_range` whether all of it lies within
// ±180/±90. Throws crs_error "axes swapped", at `where`, when the source is geographic and the
// point falls outside the area of use of `analysis_crs` (10° margin), or the data out of
// range, but fits it read as (lat, lon).
void check_axis_order(const resolved_crs& source, double cx, double cy, bool in_range, const std::string& analysis_crs,
                      const error_location& where);

}  // namespace microplan::geo
