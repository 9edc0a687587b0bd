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
//   zones      districts dissolved by the codification's zone;
//   official   circuit polygons given as official (Guayaquil's) replace the designed ones
//              (the designed ones are measured against them first).
// Every defect met is a finding with its resolution.
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/design/partition.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::design {

struct national_sources {
    std::string parishes, cantons, codification, census, urban_parishes, offices, official_circuits;
    std::vector<std::string> rasters;
    // Reviewed corrections of the codification's zones (CSV: district, zone, reason), e.g.
    // data/ecuador/zone_corrections.csv; each applied correction is reported.
    std::string zone_corrections;

    // The layout of ../shared/data/ecuador (README there).
    static national_sources from_data_dir(const std::string& dir);
};

struct national_options {
    std::string analysis_crs = "EPSG:32717";
    std::uint64_t seed = 1;
    unsigned threads = 0;
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
    unit_layer zones, districts, circuits, cantons, parishes;
    std::map<level, std::map<std::string, double>> population;  // people per unit code
    std::vector<unit_report> units;
    std::vector<official_match> official;            // per official circuit
    std::vector<official_match> official_districts;  // the same, districts dissolved from them
    findings report;
    double design_seconds = 0;                           // pieces, growth and geometry of every district and circuit
    std::vector<std::pair<std::string, double>> stages;  // wall seconds per stage
    std::size_t pieces = 0, split_parishes = 0;
};

national_result build_national(const national_sources& sources, const national_options& options);

}  // namespace microplan::geo::design
