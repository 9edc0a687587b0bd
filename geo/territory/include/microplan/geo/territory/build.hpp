#pragma once
// Builds missing upper levels by dissolving children (GEOS unary union).
#include <map>
#include <string>

#include "microplan/geo/io/codification.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo {

struct dissolve_group {
    std::string code;
    std::string name;
    std::string parent_code;
    std::vector<std::size_t> members;  // indices into the children layer
};

// One unit per group: the union of its members' geometries, measured in `analysis_crs`.
unit_layer dissolve(const unit_layer& children, level target, const std::vector<dissolve_group>& groups,
                    const std::string& analysis_crs, unsigned threads = 0);

struct built_levels {
    unit_layer districts;
    unit_layer zones;
    findings report;
};

// Districts and zones from cantons and the codification table. A canton that holds
// several districts (the big cities: Quito, Guayaquil, Cuenca, Ambato, Santo Domingo)
// cannot be split without finer units: its districts are reported ("build.city_canton"),
// not built, and the canton still counts in its zone.
built_levels build_from_cantons(const unit_layer& cantons, const codification_table& table,
                                const std::string& analysis_crs, unsigned threads = 0);

// Districts from circuits by their code (17D06C03 -> 17D06), zones from districts by
// the codification table when given.
built_levels build_from_circuits(const unit_layer& circuits, const codification_table* table,
                                 const std::string& analysis_crs, unsigned threads = 0);

}  // namespace microplan::geo
