#pragma once
// Sectors as data (docs/planning.md, "Sectors"): which sectors the standards may name, their
// Spanish and English names, whether a sector's offer is establishments or a household network
// (water, sewerage, electricity), its deconcentration type after the method's Tabla 1 (Norma
// Técnica de Desconcentración, 2013: 1 private, 2 high deconcentration, 3 high decentralisation,
// 4 strategic) and the levels its standards may use. Every bad row is reported (file, line,
// column, rule) and nothing is returned.
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/level.hpp"

namespace microplan::geo {

enum class sector_kind { establishment, network };

struct sector_def {
    long long line = 0;  // data line in the table, for messages
    std::string id;      // canonical identifier (health, water, ...)
    std::string label_es, label_en;
    sector_kind kind = sector_kind::establishment;
    int deconcentration = 0;    // Tabla 1 type 1-4; 0 = not given
    std::vector<level> levels;  // where its standards may count the ideal offer (planning levels)
    std::string note;
    [[nodiscard]] bool allows(level l) const;
};

struct sectors_catalogue {
    std::string source;  // file name, or "built in"
    std::vector<sector_def> items;
    [[nodiscard]] const sector_def* find(const std::string& id) const;
    // The identifier a text names: an id, a Spanish or English name (accents and case aside), or
    // canonical_sector's spelling (MSP, MINEDUC, ...).
    [[nodiscard]] std::string canonical(const std::string& text) const;
    // "health, education, ..." for messages.
    [[nodiscard]] std::string ids() const;
};

// The sectors microplan knows without a table (the eight establishment sectors and the water,
// sewerage and electricity networks, every planning level and the nation),
// for stores and catalogues without a sectors table.
const sectors_catalogue& builtin_sectors();

std::string_view kind_name(sector_kind k);

// "zone;district;circuit" (Spanish too; ; , or | between) as planning levels, each once, in the
// order written; what is not a planning level goes to `unknown` when given.
std::vector<level> parse_levels(const std::string& text, std::vector<std::string>* unknown = nullptr);

// Columns: sector (sector, id), label_es (etiqueta_es, nombre), label_en (etiqueta_en), kind
// (tipo: establishment / establecimiento, network / red), deconcentration (desconcentracion: 1-4),
// levels (niveles: zone;district;circuit, Spanish accepted), note (nota).
sectors_catalogue read_sectors(const std::string& path);
// The same rules for a catalogue built in memory or read back from a store: errors, and a
// warning where an establishment sector of Tabla 1 type 1, 3 or 4 plans below the zone.
findings check_sectors(const sectors_catalogue& catalogue);

}  // namespace microplan::geo
