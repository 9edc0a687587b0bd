#include "microplan/geo/core/proj.hpp"

#include <cmath>
#include <utility>

#include "microplan/geo/error.hpp"

namespace microplan::geo::proj {

PJ_CONTEXT* thread_context() {
    thread_local context_ptr ctx{proj_context_create()};
    return ctx.get();
}

namespace {
pj_ptr create_crs(const std::string& def) {
    pj_ptr crs{proj_create(thread_context(), def.c_str())};
    if (!crs) {
        int err = proj_context_errno(thread_context());
        throw crs_error(
            {}, "unknown CRS",
            "PROJ does not know the CRS '" + def + "': " + proj_context_errno_string(thread_context(), err));
    }
    return crs;
}
}  // namespace

transformer::transformer(const std::string& source, const std::string& target, bool swap_source_xy)
    : swap_(swap_source_xy) {
    PJ_CONTEXT* ctx = thread_context();
    pj_ptr src = create_crs(source);
    pj_ptr dst = create_crs(target);
    noop_ = proj_is_equivalent_to(src.get(), dst.get(), PJ_COMP_EQUIVALENT) != 0;
    pj_ptr op{proj_create_crs_to_crs_from_pj(ctx, src.get(), dst.get(), nullptr, nullptr)};
    if (!op)
        throw crs_error({}, "no transformation", "PROJ has no operation from '" + source + "' to '" + target + "'");
    op_.reset(proj_normalize_for_visualization(ctx, op.get()));
    if (!op_)
        throw crs_error({}, "no transformation",
                        "PROJ cannot normalise the operation to '" + target + "' (lon, lat order)");
}

bool transformer::forward(double& x, double& y) const noexcept {
    if (swap_) std::swap(x, y);
    if (noop_) return std::isfinite(x) && std::isfinite(y);
    PJ_COORD c = proj_coord(x, y, 0, 0);
    c = proj_trans(op_.get(), PJ_FWD, c);
    if (!std::isfinite(c.xy.x) || !std::isfinite(c.xy.y) || c.xy.x == HUGE_VAL) return false;
    x = c.xy.x;
    y = c.xy.y;
    return true;
}

geos::geom_ptr transformer::forward(const GEOSGeometry* g) const {
    return geos::transform_xy(g, [this](double& x, double& y) { return forward(x, y); });
}

std::string crs_name(const std::string& crs) {
    pj_ptr p = create_crs(crs);
    const char* name = proj_get_name(p.get());
    return name ? name : crs;
}

area_of_use crs_area_of_use(const std::string& crs) {
    pj_ptr p = create_crs(crs);
    area_of_use a;
    if (!proj_get_area_of_use(thread_context(), p.get(), &a.west, &a.south, &a.east, &a.north, nullptr) ||
        a.west < -180)
        return area_of_use{};
    return a;
}

bool crs_is_geographic(const std::string& crs) {
    pj_ptr p = create_crs(crs);
    PJ_TYPE t = proj_get_type(p.get());
    return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS || t == PJ_TYPE_GEOGRAPHIC_CRS;
}

}  // namespace microplan::geo::proj
