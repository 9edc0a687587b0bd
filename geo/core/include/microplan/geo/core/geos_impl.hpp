#pragma once
// Template part of geos.hpp.
#include <type_traits>

namespace microplan::geo::geos {

namespace detail {
geom_ptr transform_xy_raw(const GEOSGeometry* g, GEOSTransformXYCallback cb, void* user);
}

template <typename Fn>
geom_ptr transform_xy(const GEOSGeometry* g, Fn&& fn) {
    using fn_t = std::remove_reference_t<Fn>;
    GEOSTransformXYCallback trampoline = [](double* x, double* y, void* user) -> int {
        return (*static_cast<fn_t*>(user))(*x, *y) ? 1 : 0;
    };
    return detail::transform_xy_raw(g, trampoline, const_cast<std::remove_const_t<fn_t>*>(&fn));
}

}  // namespace microplan::geo::geos
