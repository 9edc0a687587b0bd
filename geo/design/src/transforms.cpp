#include "transforms.hpp"

#include <map>
#include <memory>
#include <utility>

namespace microplan::geo::design::detail {

const proj::transformer& thread_transformer(const std::string& from, const std::string& to) {
    thread_local std::map<std::pair<std::string, std::string>, std::unique_ptr<proj::transformer>> cache;
    auto& t = cache[{from, to}];
    if (!t) t = std::make_unique<proj::transformer>(from, to);
    return *t;
}

geos::geom_ptr make_box(double minx, double miny, double maxx, double maxy) {
    auto h = geos::thread_context().handle();
    return geos::own(GEOSGeom_createRectangle_r(h, minx, miny, maxx, maxy));
}

}  // namespace microplan::geo::design::detail
