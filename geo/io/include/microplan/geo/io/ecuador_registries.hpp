#pragma once
// Readers of Ecuador's two national establishment registries, each row kept with what the
// registry records of where it is (recorded_place) so that rows without coordinates can be
// placed by code (territory/place_by_code.hpp):
//   MINEDUC schools   the points file (AMIE, NOM_INSTIT, ESTADO_IE_ = condition, point) joined
//                     by AMIE to the 2023 registry (amie, nom_sostenimiento = provider, da_dist =
//                     district, dpa_parroq_6 = parish, lon/lat); one establishment per AMIE;
//   MSP health units  unicodigo, nombre, canton_dpa, distrito_msp (the names of the places of
//                     its MSP district), tipologia; no coordinates.
// Every repeated code, unmatched row and resolution is a finding. Reads on the calling thread;
// deterministic (rows in code order).
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/finding.hpp"

namespace microplan::geo {

struct registry_establishments {
    std::vector<establishment> rows;    // lon/lat NaN when the registry gives no coordinates
    std::vector<recorded_place> where;  // same order
    findings report;
    std::map<std::string, std::size_t> counts;  // named figures for the build report
};

// Schools: one per AMIE code of either file. A code repeated in the points file (one row per
// premises: MATRIZ, ESTABLECIMIENTO, EXTENSIÓN) keeps its MATRIZ row, else its first, and the
// repetitions are reported (with whether they lie elsewhere or give another condition); the
// same for a code repeated in the registry. Coordinates come from the points file, else from
// the registry's lon/lat, else the school is left to be placed by its recorded district and
// parish. The provider comes from the registry (a point without registry row: unknown).
// Throws format_error naming the file and column when either file lacks a key column.
registry_establishments read_mineduc_schools(const std::string& points, const std::string& registry);

// MSP establishments: provider public (the Ministry's own), typology from `tipologia` (HB,
// HG, HE, CS "A"/"B"/"C"), placed by canton code and district place names. A repeated
// unicodigo keeps its first row (reported). Throws format_error on a missing key column.
registry_establishments read_msp_establishments(const std::string& path);

// Code -> name of every feature of a layer of units (columns id/code and name/nombre), read
// without geometry: the province names an age structure table is matched by.
std::map<std::string, std::string> read_unit_names(const std::string& path);

}  // namespace microplan::geo
