#pragma once
// The stages of build_national (national.hpp), each a pure function from an input struct to
// an output struct, in the order build_national runs them:
//
//   match_census        people per parish: by code, by name, new parishes to the one they
//                       were carved from, the rest counted on the raster
//   codify_parishes     the codification matched to cantons and parishes, circuits without a
//                       matched parish placed, unmatched rows explained
//   resolve_zones       the zone of each district from the evidence (legal zoning, tables)
//   build_pieces        parishes listed under several districts or circuits split on the raster
//   design_districts    districts grown over the pieces (city cantons shared out)
//   design_circuits     circuits grown inside each district
//   assemble_circuits   circuit geometry and people from their pieces
//   compare_official    designed circuits and districts against the official polygons (IoU)
//   apply_official      official polygons take precedence; the changed circuits recounted
//   dissolve_levels     districts and zones dissolved from the circuits
//   report_units        people per unit of every level and the per-unit report
//   check_offices       the district offices' zones and places against the design
//
// Inputs are borrowed (const references) unless a stage transforms them, then they are moved
// in and come out in the output. Every stage is deterministic; stages that take `threads` run
// parallel loops inside and give the same result for any number of threads.
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "microplan/geo/design/national.hpp"
#include "microplan/geo/design/partition.hpp"
#include "microplan/geo/io/codification.hpp"

namespace microplan::geo::design {

// ---- census ----
struct census_input {
    const unit_layer& parishes;
    const unit_layer& cantons;
    const census_table& census;
    const weight_rasters& rasters;  // for parishes the census misses; none: they stay at 0
    unsigned threads = 0;
};
struct parish_census {
    std::vector<double> people;  // per parish (parishes' order)
    findings report;
};
parish_census match_census(const census_input& in);

// ---- codification ----
struct codification_input {
    const unit_layer& parishes;
    const unit_layer& cantons;
    const codification_table& table;
    const std::vector<urban_parish>& urban;  // empty: no urban parish classifier
    std::span<const double> people;          // per parish (match_census)
};
struct codification_result {
    canton_districts cantons;  // which cantons make each district (its report is in `report`)
    // zone_of: the codification table's zone per district (resolve_zones decides the zone).
    std::map<std::string, std::string> zone_of, district_name, circuit_name;
    std::map<std::string, std::set<std::string>> circuits_of_district;
    // Per parish: the districts and circuits whose rows list it (a circuit none of whose
    // parishes matched is listed under its district's most populous parish).
    std::vector<std::set<std::string>> listed_districts, listed_circuits;
    findings report;
};
codification_result codify_parishes(const codification_input& in);

// ---- zones ----
// Every district's zone from the evidence. The legal zoning decides when the cantons the
// district lists are all in one legal zone (a canton row overrides its province row); every
// source that says otherwise (the codification table, the district offices, a register's
// recorded zone) is reported as the loser (`sources.zone_disagreement`). Where the law does
// not decide (no row for a canton, or cantons in several legal zones:
// `zones.legal_undetermined`), the zone most sources give wins, ties to the codification.
struct zones_input {
    const std::map<std::string, std::string>& table_zone;  // codification, per district
    const std::map<std::string, std::vector<std::string>>& cantons_of_district;
    const std::vector<legal_zone>& legal;
    const std::map<std::string, district_office>& offices;                           // empty: no offices table
    const recorded_zone_counts& recorded;                                            // empty: no register
    std::string codification_source, legal_source, offices_source, recorded_source;  // for messages
};
struct zone_resolution {
    std::map<std::string, std::string> zone_of;  // district -> zone
    findings report;
};
zone_resolution resolve_zones(const zones_input& in);

// The provinces the legal zoning splits across zones (a canton row with another zone than its
// province's): the declared exceptions of validation_options::split_allowed.
std::set<std::string> legally_split(const std::vector<legal_zone>& legal);

// The built zones and districts checked as any country's (territory/contiguity.hpp): each one
// territory, islands aside, the cantons' exclaves joining; provinces and cantons in one zone
// unless the law splits them. A zone in pieces is an error; a district in pieces is kept as
// the sources and the design make it and said as a warning (`design.district_not_contiguous`).
struct territory_input {
    const unit_layer& zones;
    const unit_layer& districts;
    const unit_layer& cantons;
    const unit_layer& provinces;  // may be empty
    const std::vector<legal_zone>& legal;
    std::string analysis_crs;
    unsigned threads = 0;
};
findings check_zone_territories(const territory_input& in);

// ---- pieces ----
struct pieces_input {
    const unit_layer& parishes;
    std::span<const double> people;
    const std::vector<std::set<std::string>>& listed_districts;
    const std::vector<std::set<std::string>>& listed_circuits;
    const weight_rasters& rasters;
    std::string analysis_crs;
    unsigned threads = 0;
};
struct national_pieces {
    piece_graph graph;
    std::size_t split_parishes = 0;
    findings report;
};
national_pieces build_pieces(const pieces_input& in);

// ---- districts ----
struct districts_input {
    const unit_layer& parishes;
    const piece_graph& graph;
    const canton_districts& cantons;
    const std::vector<std::set<std::string>>& listed_districts;
    const std::vector<std::set<std::string>>& listed_circuits;
    const std::map<std::string, district_office>& offices;  // seeds of the districts of city cantons
    std::string analysis_crs;
    std::uint64_t seed = 1;
    unsigned threads = 0;
};
struct district_design {
    std::vector<std::string> codes;
    std::map<std::string, std::size_t> index;
    std::vector<std::vector<std::uint32_t>> pieces;  // per district
    std::vector<double> target;                      // per district
    std::vector<bool> designed;                      // shaped by the design (false: fixed by its cantons)
};
district_design design_districts(const districts_input& in);

// ---- circuits ----
struct circuits_input {
    const piece_graph& graph;
    const district_design& districts;
    const std::map<std::string, std::set<std::string>>& circuits_of_district;
    const std::vector<std::set<std::string>>& listed_circuits;
    std::uint64_t seed = 1;
    unsigned threads = 0;
};
struct circuit_design {
    std::vector<std::string> codes, district;  // per circuit, district by district
    std::map<std::string, std::size_t> index;
    std::vector<double> target;  // 0 where not shaped by the design
    std::vector<std::vector<std::uint32_t>> pieces;
};
circuit_design design_circuits(const circuits_input& in);

// ---- circuit geometry ----
struct geometry_input {
    const piece_graph& graph;
    const unit_layer& parishes;
    const circuit_design& circuits;
    const std::map<std::string, std::string>& circuit_name;
    unsigned threads = 0;
};
struct circuit_units {
    unit_layer layer;                // geometry in WGS 84, not yet measured
    std::vector<double> population;  // per circuit, from its pieces
    findings report;
};
circuit_units assemble_circuits(const geometry_input& in);

// ---- official circuits: comparison ----
using official_list = std::vector<std::pair<std::string, const GEOSGeometry*>>;
struct comparison_input {
    const std::map<std::string, geos::geom_ptr>& official;  // WGS 84, by circuit code
    const unit_layer& circuits;                             // designed (assemble_circuits)
    const circuit_design& design;
    const district_design& districts;
    const piece_graph& graph;
    const unit_layer& parishes;
    std::string analysis_crs;
    unsigned threads = 0;
};
struct official_comparison {
    official_list known;                    // official polygons of codified circuits
    std::vector<std::size_t> near;          // designed circuits whose box meets theirs
    std::vector<official_match> circuits;   // per known official circuit
    std::vector<official_match> districts;  // designed districts vs official circuits dissolved
    findings report;
};
official_comparison compare_official(const comparison_input& in);

// ---- official circuits: precedence ----
struct precedence_input {
    unit_layer circuits;             // moved in, comes out changed
    std::vector<double> population;  // per circuit, moved in
    const official_comparison& comparison;
    const circuit_design& design;
    const unit_layer& parishes;
    std::span<const double> people;  // per parish
    const weight_rasters& rasters;   // the first spreads parish people over changed circuits; none: by area
    std::string official_source;     // for messages
    std::string analysis_crs;
    unsigned threads = 0;
};
struct precedence_result {
    unit_layer circuits;
    std::vector<double> population;
    std::set<std::string> official_codes;
    findings report;
};
precedence_result apply_official(precedence_input in);

// ---- districts and zones ----
struct dissolve_input {
    const unit_layer& circuits;  // measured
    std::span<const double> population;
    const circuit_design& design;
    const district_design& districts;
    const std::map<std::string, std::string>& district_name;
    const std::map<std::string, std::string>& zone_of;
    std::string analysis_crs;
    unsigned threads = 0;
};
struct dissolved_levels {
    unit_layer districts, zones;
    std::map<std::string, double> district_population, zone_population;
};
dissolved_levels dissolve_levels(const dissolve_input& in);

// ---- reports ----
struct report_input {
    const unit_layer& parishes;
    const unit_layer& cantons;
    std::span<const double> people;  // per parish
    const piece_graph& graph;
    const unit_layer& circuits;
    std::span<const double> circuit_population;
    const circuit_design& design;
    const district_design& districts;
    const dissolved_levels& levels;
    const std::set<std::string>& official_codes;
    const std::vector<official_match>& official_districts;
    const std::vector<std::set<std::string>>& listed_districts;
};
struct unit_figures {
    std::map<level, std::map<std::string, double>> population;
    std::vector<unit_report> units;  // circuits, districts, zones
};
unit_figures report_units(const report_input& in);

// ---- offices ----
// Where each office lies against the designed districts (its zone is weighed in resolve_zones).
struct offices_input {
    const std::map<std::string, district_office>& offices;
    const unit_layer& districts;
    std::string offices_source;  // for messages
};
findings check_offices(const offices_input& in);

}  // namespace microplan::geo::design
