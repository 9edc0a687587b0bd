#pragma once
// The national base of Ecuador's planning levels (9 zones, 140 districts, every circuit of
// the codification) built from parishes, cantons, the codification table, census 2022 and a
// population raster, where no official district or circuit polygons exist.
//
//   districts  the cantons each district lists; a city canton holding several districts
//              (Quito, Guayaquil, Cuenca, Ambato, Santo Domingo) is shared out by design:
//              parishes listed under one district go whole to it, a parish listed under
//              several is split by the raster, targets in proportion to circuit counts;
//   circuits   inside each district: the parishes each circuit lists, a parish listed under
//              several circuits split into population-balanced parts;
//   zones      districts dissolved by the zone resolved from the evidence (resolve_zones in
//              national_stages.hpp: the legal zoning first, then the recorded zones);
//   official   circuit polygons given as official (Guayaquil's) replace the designed ones
//              (the designed ones are measured against them first).
// Every defect met is a finding with its resolution.
//
// build_national is pure computation over inputs read beforehand (usecases/national.hpp reads
// them): it opens no file. It composes the stages of national_stages.hpp. Deterministic for
// the inputs and seed, whatever the number of threads.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/design/partition.hpp"
#include "microplan/geo/io/codification.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::design {

// Where each input comes from. Design only quotes these names in findings; the reader
// (usecases/national.hpp) opens them. An empty name: the optional input is absent.
struct national_sources {
    std::string parishes, cantons, codification, census, urban_parishes, offices, official_circuits;
    std::string provinces;  // optional: stored as a reference level, checked against the zones
    std::vector<std::string> rasters;
    // The legal zoning (CSV: level, code, name, zone, source), e.g. data/ecuador/legal_zones.csv:
    // the zone of each province by law, a canton row overriding its province's.
    std::string legal_zones;
    // A register that records a zone per district (the school registry: da_dist, da_zona),
    // one more witness of each district's zone. Optional.
    std::string recorded_zones;

    // The layout of ../shared/data/ecuador (README there).
    static national_sources from_data_dir(const std::string& dir);
};

struct national_options {
    std::string analysis_crs = "EPSG:32717";
    std::uint64_t seed = 1;
    unsigned threads = 0;
};

// A census row (with a value) whose code no parish polygon has.
struct census_row {
    std::string code, name, canton;
    double people = 0;
};

// The census table joined to the parishes.
struct census_table {
    std::map<std::string, double> people;  // parish code -> people (codes that match a parish)
    std::vector<census_row> orphans;       // rows no parish polygon has (codes that changed, new parishes)
};

// A district office (district offices table): its zone and where it is.
struct district_office {
    std::string zone;
    std::optional<std::pair<double, double>> lonlat;
    long long fid = 0;
};

// A row of the legal zoning: the zone a province (or a canton, overriding its province) is
// in by law, and the act that says so.
struct legal_zone {
    level lvl = level::province;           // province or canton
    std::string code, name, zone, source;  // codes normalised
    long long fid = 0;
};

// Zones a register records per district: district code -> zone -> records.
using recorded_zone_counts = std::map<std::string, std::map<std::string, int>>;

// Everything build_national needs, read up front.
struct national_inputs {
    national_sources sources;                 // names, for messages
    unit_layer parishes, cantons, provinces;  // provinces empty when not given
    census_table census;
    codification_table codification;
    std::vector<urban_parish> urban_parishes;
    std::map<std::string, district_office> offices;  // by district code
    std::vector<legal_zone> legal_zones;
    recorded_zone_counts recorded_zones;
    // Official circuit polygons (WGS 84), subcircuits dissolved by circuit code.
    std::map<std::string, geos::geom_ptr> official_circuits;
    weight_rasters rasters;  // the population rasters, in the order of sources.rasters
    findings report;         // what reading met: parishes, cantons, census table, in that order
};

// How a designed circuit compares with the official one of the same code.
struct official_match {
    std::string code;
    double iou_same_code = 0;  // intersection / union with the designed circuit of that code
    std::string best_code;     // the designed circuit overlapping it most
    double best_iou = 0;
    double official_km2 = 0;
};

struct national_result {
    unit_layer zones, districts, circuits;
    std::map<level, std::map<std::string, double>> population;  // people per unit code
    std::vector<unit_report> units;
    std::vector<official_match> official;            // per official circuit
    std::vector<official_match> official_districts;  // the same, districts dissolved from them
    findings report;                                 // the inputs' report, then every stage's findings in stage order
    double design_seconds = 0;                       // pieces, growth and geometry of every district and circuit
    std::vector<std::pair<std::string, double>> stages;  // wall seconds per stage
    std::size_t pieces = 0, split_parishes = 0;
};

national_result build_national(const national_inputs& inputs, const national_options& options);

}  // namespace microplan::geo::design
