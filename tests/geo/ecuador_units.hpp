#pragma once
// Units of one level read from ../shared/data/ecuador/boundaries, for the real-data tests.
#include <string>

#include "microplan/geo/io/vector_import.hpp"
#include "support.hpp"

namespace microplan::test {

inline geo::unit_layer load_ecuador_units(const std::string& file, geo::level l) {
    geo::import_options o;
    o.path = ecuador("boundaries/" + file);
    o.lvl = l;
    return std::move(geo::read_units(o).layer);
}

}  // namespace microplan::test
