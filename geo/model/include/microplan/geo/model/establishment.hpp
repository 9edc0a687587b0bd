#pragma once
// A service establishment (health centre, school, police unit, child development centre…):
// the *current offer* of microplanning, and the vocabulary planners use for it.
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "microplan/geo/model/level.hpp"

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
    // Who runs it: public, private, or "" when the source does not say (counted as public
    // offer, as before providers were read); `provider_source` is the source's own value
    // (FISCAL, FISCOMISIONAL, MUNICIPAL, PARTICULAR...).
    std::string provider, provider_source;
    double lon = std::numeric_limits<double>::quiet_NaN();
    double lat = std::numeric_limits<double>::quiet_NaN();
    // Its history (model/dates.hpp; "" = not known): opened (an establishment not yet opened on
    // a date is not offer then), closed (no longer offer from then), rehabilitated (in poor
    // condition before then).
    std::string opened, closed, rehabilitated;
};

// What a registry records of where an establishment is when it has no coordinates: codes of
// administrative units and the names of the places of its district (territory/place_by_code.hpp).
struct recorded_place {
    std::map<level, std::string> codes;       // e.g. parish, canton, district
    std::map<level, std::string> unit_names;  // the same units' names, when given (codes change, names stay)
    std::vector<std::string> names;           // places of its district, as written
};

// The canonical sector for what offices write: "Salud", "MSP" -> health; "Educación",
// "MINEDUC" -> education; "Seguridad", "Policía" -> security; "Desarrollo Infantil", "CDI",
// "MIES" -> child_development. Anything else becomes a lower-case identifier
// ("Inclusión Social" -> inclusion_social); "" stays "".
std::string canonical_sector(std::string_view text);
// good / fair / poor from English or Spanish (bueno, regular, malo...); nullopt when unknown.
std::optional<std::string> canonical_condition(std::string_view text);
// public / private from what registries write: public, fiscal, fiscomisional, municipal,
// publico -> public (Ecuador's Organic Law of Intercultural Education counts fiscal and
// municipal schools as public and fiscomisional ones as state-funded and free: all are the
// Executive's offer); private, particular, privado -> private; nullopt when unknown.
std::optional<std::string> canonical_provider(std::string_view text);
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
