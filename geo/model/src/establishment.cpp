#include "microplan/geo/model/establishment.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

namespace {

template <std::size_t N>
std::optional<std::string> lookup(const std::array<std::pair<const char*, const char*>, N>& table,
                                  const std::string& folded) {
    for (const auto& [key, value] : table)
        if (folded == key) return std::string(value);
    return std::nullopt;
}

}  // namespace

std::string canonical_sector(std::string_view text) {
    std::string f = names::fold(text);
    if (f.empty()) return {};
    static const std::array<std::pair<const char*, const char*>, 22> table{{
        {"HEALTH", "health"},
        {"SALUD", "health"},
        {"MSP", "health"},
        {"SALUD PUBLICA", "health"},
        {"EDUCATION", "education"},
        {"EDUCACION", "education"},
        {"MINEDUC", "education"},
        {"SECURITY", "security"},
        {"SEGURIDAD", "security"},
        {"SEGURIDAD CIUDADANA", "security"},
        {"POLICIA", "security"},
        {"POLICE", "security"},
        {"CHILD DEVELOPMENT", "child_development"},
        {"DESARROLLO INFANTIL", "child_development"},
        {"DESARROLLO INFANTIL INTEGRAL", "child_development"},
        {"CDI", "child_development"},
        {"CNH", "child_development"},
        {"MIES", "child_development"},
        {"JUSTICE", "justice"},
        {"JUSTICIA", "justice"},
        {"SPORT", "sport"},
        {"DEPORTE", "sport"},
    }};
    if (auto hit = lookup(table, f)) return *hit;
    std::string id;
    for (char c : f) id += c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return id;
}

std::optional<std::string> canonical_condition(std::string_view text) {
    static const std::array<std::pair<const char*, const char*>, 13> table{{
        {"GOOD", "good"},
        {"BUENO", "good"},
        {"BUENA", "good"},
        {"FAIR", "fair"},
        {"REGULAR", "fair"},
        {"MEDIO", "fair"},
        {"POOR", "poor"},
        {"MALO", "poor"},
        {"MALA", "poor"},
        {"DETERIORADO", "poor"},
        {"DETERIORO", "poor"},  // MINEDUC's ESTADO_IE_: BUENO / REGULAR / MALO / DETERIORO / S/I
        {"BAD", "poor"},
        {"MUY MALO", "poor"},
    }};
    return lookup(table, names::fold(text));
}

std::optional<std::string> canonical_provider(std::string_view text) {
    static const std::array<std::pair<const char*, const char*>, 14> table{{
        {"PUBLIC", "public"},
        {"PUBLICO", "public"},
        {"PUBLICA", "public"},
        {"FISCAL", "public"},
        {"FISCOMISIONAL", "public"},
        {"MUNICIPAL", "public"},
        {"ESTATAL", "public"},
        {"MSP", "public"},
        {"PRIVATE", "private"},
        {"PRIVADO", "private"},
        {"PRIVADA", "private"},
        {"PARTICULAR", "private"},
        {"PARTICULAR LAICO", "private"},
        {"PARTICULAR RELIGIOSO", "private"},
    }};
    return lookup(table, names::fold(text));
}

std::optional<std::string> canonical_status(std::string_view text) {
    static const std::array<std::pair<const char*, const char*>, 12> table{{
        {"EXISTING", "existing"},
        {"EXISTENTE", "existing"},
        {"ACTIVO", "existing"},
        {"ACTIVA", "existing"},
        {"EN FUNCIONAMIENTO", "existing"},
        {"OPERATIVO", "existing"},
        {"PROPOSED", "proposed"},
        {"PROPUESTO", "proposed"},
        {"PROPUESTA", "proposed"},
        {"PLANIFICADO", "proposed"},
        {"PROYECTADO", "proposed"},
        {"NUEVO", "proposed"},
    }};
    return lookup(table, names::fold(text));
}

}  // namespace microplan::geo
