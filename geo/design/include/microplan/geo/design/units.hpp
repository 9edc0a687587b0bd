#pragma once
// Unit assembly: the geometry of designed units from their pieces (whole atoms as they are,
// split atoms' sub-cells merged and cut by the atom), their measures and the per-unit report.
// Pure functions; safe to call from many threads (one PROJ transformer per thread).
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/design/pieces.hpp"
#include "microplan/geo/model/level.hpp"

namespace microplan::geo::design {

// The geometry (WGS 84 MultiPolygon) of a set of pieces: whole atoms as they are, each
// split atom's sub-cells merged and cut by the atom.
geos::geom_ptr pieces_geometry(const piece_graph& graph, const unit_layer& atoms,
                               std::span<const std::uint32_t> pieces);

// One designed unit, as reports list it.
struct unit_report {
    level lvl = level::circuit;
    std::string code, name, parent;
    double population = 0;
    double target = 0;     // people the design aimed at (0 when not designed)
    double deviation = 0;  // population / target - 1
    double polsby_popper = 0;
    double area_km2 = 0;
    int parts = 1;                         // polygons (1 = contiguous)
    std::vector<std::string> split_units;  // finer units it shares with other units
    bool official = false;                 // geometry from official polygons
};

// The report of unit `u` (measured) with its people and target (0: not designed).
unit_report report_of(const unit& u, double population, double target);

// The codes of the split atoms among `pieces` that `shared(atom)` says are shared with
// other units.
std::vector<std::string> split_codes(const piece_graph& graph, const unit_layer& atoms,
                                     std::span<const std::uint32_t> pieces,
                                     const std::function<bool(std::uint32_t)>& shared);

// Makes `u.geometry` valid and sets its projected copy, area and perimeter in `analysis_crs`
// (one PROJ transformer per thread).
void measure_unit(unit& u, const std::string& analysis_crs);

// Polsby-Popper compactness 4πA/P² (1 for a circle), from projected area and perimeter.
double polsby_popper(double area, double perimeter);

}  // namespace microplan::geo::design
