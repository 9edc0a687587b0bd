#pragma once
// Private to territory: places a finding at a point of the problem's surface. The geometry is
// in the analysis CRS; the point is carried back to WGS 84 (one PROJ transformer per thread).
#include <map>
#include <memory>
#include <string>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/model/finding.hpp"

namespace microplan::geo::detail {

struct locator {
    std::string analysis_crs;
    void place(finding& f, const GEOSGeometry* projected_piece) const {
        GEOSContextHandle_t h = geos::thread_context().handle();
        geos::geom_ptr p = geos::own(GEOSPointOnSurface_r(h, projected_piece));
        if (!p || geos::is_empty(p.get())) return;
        double x = 0, y = 0;
        GEOSGeomGetX_r(h, p.get(), &x);
        GEOSGeomGetY_r(h, p.get(), &y);
        thread_local std::map<std::string, std::unique_ptr<proj::transformer>> back;
        auto& t = back[analysis_crs];
        if (!t) t = std::make_unique<proj::transformer>(analysis_crs, "EPSG:4326");
        if (t->forward(x, y)) {
            f.lon = x;
            f.lat = y;
        }
    }
};

}  // namespace microplan::geo::detail
