#include "microplan/geo/model/level.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace microplan::geo {

std::string_view level_name(level l) {
    switch (l) {
        case level::zone:
            return "zone";
        case level::district:
            return "district";
        case level::circuit:
            return "circuit";
        case level::province:
            return "province";
        case level::canton:
            return "canton";
        case level::parish:
            return "parish";
        case level::nation:
            return "nation";
    }
    return "?";
}

std::string_view level_table(level l) {
    switch (l) {
        case level::zone:
            return "zones";
        case level::district:
            return "districts";
        case level::circuit:
            return "circuits";
        case level::province:
            return "provinces";
        case level::canton:
            return "cantons";
        case level::parish:
            return "parishes";
        case level::nation:
            return "nation";
    }
    return "?";
}

std::optional<level> parse_level(std::string_view name) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (level l : all_levels)
        if (n == level_name(l) || n == level_table(l)) return l;
    // Spanish names, as planners say them.
    if (n == "zona" || n == "zonas") return level::zone;
    if (n == "distrito" || n == "distritos") return level::district;
    if (n == "circuito" || n == "circuitos") return level::circuit;
    if (n == "provincia" || n == "provincias") return level::province;
    if (n == "canton" || n == "cantones" || n == "cantón") return level::canton;
    if (n == "parroquia" || n == "parroquias") return level::parish;
    if (n == "nation" || n == "national" || n == "nacional" || n == "central" || n == "país" || n == "pais")
        return level::nation;
    return std::nullopt;
}

std::optional<level> parent_level(level l) {
    switch (l) {
        case level::district:
            return level::zone;
        case level::circuit:
            return level::district;
        case level::canton:
            return level::province;
        case level::parish:
            return level::canton;
        default:
            return std::nullopt;
    }
}

std::optional<level> child_level(level l) {
    switch (l) {
        case level::zone:
            return level::district;
        case level::district:
            return level::circuit;
        case level::province:
            return level::canton;
        case level::canton:
            return level::parish;
        default:
            return std::nullopt;
    }
}

namespace {
bool digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}
}  // namespace

bool code_is_well_formed(level l, std::string_view c) {
    switch (l) {
        case level::zone:
            return c.size() == 2 && c[0] == 'Z' && c[1] >= '1' && c[1] <= '9';
        case level::district:
            return c.size() == 5 && digits(c.substr(0, 2)) && c[2] == 'D' && digits(c.substr(3));
        case level::circuit:
            return c.size() == 8 && code_is_well_formed(level::district, c.substr(0, 5)) && c[5] == 'C' &&
                   digits(c.substr(6));
        case level::province:
            return c.size() == 2 && digits(c);
        case level::canton:
            return c.size() == 4 && digits(c);
        case level::parish:
            return c.size() == 6 && digits(c);
        case level::nation:
            return false;  // the nation has no units to code
    }
    return false;
}

namespace {

// A few code points planners paste by accident, named in messages.
const char* code_point_name(unsigned cp) {
    if (cp == 0xA0) return "no-break space";
    if (cp >= 0x200B && cp <= 0x200D) return "zero-width space or joiner";
    if (cp == 0xFEFF) return "zero-width no-break space (byte order mark)";
    if (cp == 0x2060) return "word joiner";
    if (cp >= 0x0660 && cp <= 0x0669) return "Arabic-Indic digit";
    if (cp >= 0x06F0 && cp <= 0x06F9) return "Extended Arabic-Indic digit";
    if (cp >= 0xFF10 && cp <= 0xFF19) return "full-width digit";
    if (cp >= 0x2000 && cp <= 0x200A) return "typographic space";
    return nullptr;
}

// The code point starting at text[i] and its length in bytes (U+FFFD, 1 for a bad byte).
std::pair<unsigned, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
    auto b = static_cast<unsigned char>(text[i]);
    std::size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    if (n == 1 || i + n > text.size()) return {0xFFFD, 1};
    unsigned cp = b & (0x3F >> (n - 1));
    for (std::size_t k = 1; k < n; ++k) {
        auto c = static_cast<unsigned char>(text[i + k]);
        if ((c & 0xC0) != 0x80) return {0xFFFD, 1};
        cp = (cp << 6) | (c & 0x3F);
    }
    return {cp, n};
}

}  // namespace

std::optional<std::string> code_text_problem(std::string_view raw) {
    std::size_t first = raw.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (raw[first] == '{' || raw[first] == '['))
        return std::string("it is a JSON ") + (raw[first] == '{' ? "object" : "array") +
               ", not a code (write the code itself as text)";
    std::size_t position = 0;
    for (std::size_t i = 0; i < raw.size();) {
        ++position;
        auto b = static_cast<unsigned char>(raw[i]);
        if (b < 0x80) {
            if (b < 0x20 && b != '\t' && b != '\r' && b != '\n') {
                char hex[16];
                std::snprintf(hex, sizeof hex, "U+%04X", b);
                return "character " + std::to_string(position) + " is " + hex + " (a control character)";
            }
            ++i;
            continue;
        }
        auto [cp, n] = decode_utf8(raw, i);
        char hex[16];
        std::snprintf(hex, sizeof hex, "U+%04X", cp);
        const char* name = code_point_name(cp);
        return "character " + std::to_string(position) + " is " + hex + (name ? std::string(" (") + name + ")" : "") +
               "; codes are plain ASCII letters and digits";
    }
    return std::nullopt;
}

std::string_view code_shape(level l) {
    switch (l) {
        case level::zone:
            return "Z followed by the zone number, like Z8";
        case level::district:
            return "2-digit province, D, 2 digits, like 17D06";
        case level::circuit:
            return "district code, C, 2 digits, like 17D06C03";
        case level::province:
            return "2 digits, like 17";
        case level::canton:
            return "4 digits, like 1701";
        case level::parish:
            return "6 digits, like 170150";
        case level::nation:
            return "no code: the nation is one";
    }
    return "";
}

std::optional<level> planning_level_of_code(std::string_view code) {
    for (level l : {level::circuit, level::district, level::zone})
        if (code_is_well_formed(l, code)) return l;
    return std::nullopt;
}

std::optional<std::string> parent_code_from_code(level l, std::string_view code) {
    if (!code_is_well_formed(l, code)) return std::nullopt;
    switch (l) {
        case level::circuit:
            return std::string(code.substr(0, 5));
        case level::parish:
            return std::string(code.substr(0, 4));
        case level::canton:
            return std::string(code.substr(0, 2));
        default:
            return std::nullopt;
    }
}

}  // namespace microplan::geo
