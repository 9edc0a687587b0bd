#pragma once
// Private to design: per-thread PROJ transformers and GEOS boxes shared by the piece graph and
// the unit assembly.
#include <string>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/proj.hpp"

namespace microplan::geo::design::detail {

// A transformer per thread and CRS pair (PROJ objects are not shared between threads).
const proj::transformer& thread_transformer(const std::string& from, const std::string& to);

// The rectangle [minx, maxx] x [miny, maxy] on the thread's GEOS context.
geos::geom_ptr make_box(double minx, double miny, double maxx, double maxy);

}  // namespace microplan::geo::design::detail
