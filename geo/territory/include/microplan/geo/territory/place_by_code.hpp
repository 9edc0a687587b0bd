#pragma once
// Placing establishments that have no coordinates by the administrative codes and names their
// source records (a parish or canton code, a district code, the names of the places of their
// district), at the finest level those determine, and no finer:
//   source levels   the recorded parish (must exist); its canton, else the recorded canton (a
//                   code the base lacks is looked up by the recorded name: DPA codes change);
//   district        the recorded district when the base has it; else the district of the
//                   parish's circuit; else the only district the canton lies in; else, among
//                   the canton's districts, the only one whose listed place names share the
//                   most names with the recorded ones (none shared, or a tie: not placed);
//   circuit         the circuit holding the whole recorded parish, when it lies in that district;
//   zone            the district's zone.
// The placement is `by_code` and `reached` is the finest planning level placed (circuit,
// district, zone) or else the finest source level; every level below stays without code, so a
// unit below gets no share of the establishment (coverage counts it at `reached` and above).
// A row no code places is left without codes, reported with why.
//
// Pure computation over relations the caller computed from its layers; deterministic.
#include <array>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/territory/assign.hpp"

namespace microplan::geo {

// The base's relations, by code.
struct code_hierarchy {
    std::array<std::map<std::string, std::string>, level_count> parent;  // per level: unit -> parent code
    std::map<std::string, std::string> circuit_of_parish;                // parishes lying wholly in one circuit
    std::map<std::string, std::vector<std::string>> districts_of_canton;
    std::map<std::string, std::set<std::string>> names_of_district;  // folded place names listed per district
    // Per level: folded unit name -> code, for names that only one unit has.
    std::array<std::map<std::string, std::string>, level_count> code_of_name;
    [[nodiscard]] bool has(level l, const std::string& code) const {
        return parent[static_cast<std::size_t>(l)].count(code) > 0;
    }
};

struct code_placement_result {
    std::vector<point_assignment> rows;  // one per establishment, same order
    std::map<level, std::size_t> reached;
    std::size_t unplaced = 0;
    std::size_t district_by_names = 0;  // districts chosen among a canton's by the recorded names
    findings report;                    // unplaced rows, codes the base lacks, codes that disagree
};

code_placement_result place_by_recorded_codes(std::span<const establishment> rows,
                                              std::span<const recorded_place> where, const code_hierarchy& base);

}  // namespace microplan::geo
