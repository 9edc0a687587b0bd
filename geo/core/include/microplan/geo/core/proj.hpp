#pragma once
// PROJ with one PJ_CONTEXT per thread. Every transformer is normalised for
// visualisation unless told otherwise, so EPSG:4326 is always (lon, lat) here.
#include <proj.h>

#include <memory>
#include <string>

#include "microplan/geo/core/geos.hpp"

namespace microplan::geo::proj {

struct context_deleter {
    void operator()(PJ_CONTEXT* c) const noexcept { proj_context_destroy(c); }
};
struct pj_deleter {
    void operator()(PJ* p) const noexcept { proj_destroy(p); }
};
using context_ptr = std::unique_ptr<PJ_CONTEXT, context_deleter>;
using pj_ptr = std::unique_ptr<PJ, pj_deleter>;

// The calling thread's PROJ context, created on first use.
PJ_CONTEXT* thread_context();

// Area of use of a CRS in lon/lat degrees.
struct area_of_use {
    double west = -180, south = -90, east = 180, north = 90;
};

// A coordinate operation between two CRSs. Bound to the thread that made it
// (its PJ belongs to that thread's context): make one per thread.
class transformer {
public:
    // `source` and `target`: anything proj_create accepts ("EPSG:32717", WKT, PROJJSON).
    // Coordinates are (x=east/lon, y=north/lat) on both sides; `swap_source_xy` first swaps
    // input coordinates that arrive (lat, lon). Throws crs_error ("unknown CRS", naming the CRS
    // PROJ rejects, or "no transformation"); the error has no file: callers that read one
    // throw it again with their location (error::detail()).
    transformer(const std::string& source, const std::string& target, bool swap_source_xy = false);

    // Transforms one coordinate in place; false when it cannot be transformed.
    bool forward(double& x, double& y) const noexcept;
    // A transformed copy of `g`; null when some coordinate cannot be transformed.
    [[nodiscard]] geos::geom_ptr forward(const GEOSGeometry* g) const;

    [[nodiscard]] bool is_noop() const noexcept { return noop_; }

private:
    pj_ptr op_;
    bool noop_ = false;
    bool swap_ = false;
};

// Name of a CRS ("WGS 84 / UTM zone 17S") and its area of use, for messages and checks.
// Each throws crs_error "unknown CRS" naming a CRS PROJ does not know.
std::string crs_name(const std::string& crs);
area_of_use crs_area_of_use(const std::string& crs);
// True when the CRS is geographic (degrees).
bool crs_is_geographic(const std::string& crs);

}  // namespace microplan::geo::proj
