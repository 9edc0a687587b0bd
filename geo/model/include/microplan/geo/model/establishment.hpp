#pragma once
// A service establishment (health centre, school, police unit, child development centre…):
// the *current offer* of microplanning, and the vocabulary planners use for it.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace microplan::geo {

struct establishment {
    long long row = 0;  // feature id in the source (CSV: data line, 1-based)
    std::string id;     // the sector's own code (AMIE for schools, unicódigo for health)
    std::string name;
    std::string sector;    // canonical: health, education, security, child_development, ...
    std::string typology;  // "Centro de Salud Tipo A", "UPC", ...
    std::optional<double> capacity;
    std::string condition;  // good, fair, poor, or "" when unknown
    std::optional<long long> staff;
    std::string status = "existing";  // existing or proposed
    double lon = std::numeric_limits<double>::quiet_NaN();
    double lat = std::numeric_limits<double>::quiet_NaN();
};

// The canonical sector for what offices write: "Salud", "MSP" -> health; "Educación",
// "MINEDUC" -> education; "Seguridad", "Policía" -> security; "Desarrollo Infantil", "CDI",
// "MIES" -> child_development. Anything else becomes a lower-case identifier
// ("Inclusión Social" -> inclusion_social); "" stays "".
std::string canonical_sector(std::string_view text);
// good / fair / poor from English or Spanish (bueno, regular, malo...); nullopt when unknown.
std::optional<std::string> canonical_condition(std::string_view text);
// existing / proposed from English or Spanish (existente, propuesto, planificado...).
std::optional<std::string> canonical_status(std::string_view text);

// Establishments as points in a projected CRS, with what accessibility needs of them.
struct establishment_points {
    std::vector<std::int64_t> fid;  // store fid
    std::vector<std::string> code, name, typology;
    std::vector<double> x, y;
    std::vector<double> capacity;  // 0 when unknown
    [[nodiscard]] std::size_t size() const noexcept { return fid.size(); }
};
}  // namespace microplan::geo
