#include "microplan/geo/model/names.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace microplan::geo::names {

namespace {
// Maps a code point of Latin-1 Supplement / Latin Extended-A to its base letter.
char base_letter(char32_t cp) {
    static constexpr std::string_view latin1 =
        // U+00C0..U+00FF
        "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
    // Ð never occurs in Spanish names: it is Ñ mis-decoded (a real defect of INEC files).
    if (cp == 0xD0 || cp == 0xF0) return 'N';
    // Ë neither: it is Ó read as code page 850 (0xD3), as in the codification's "UNIËN".
    if (cp == 0xCB || cp == 0xEB) return 'O';
    if (cp >= 0xC0 && cp <= 0xFF) return latin1[cp - 0xC0];
    return 0;
}

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::string expand_abbreviations(const std::string& folded) {
    static const std::pair<std::string_view, std::string_view> table[] = {
        {"GNRAL", "GENERAL"}, {"GRAL", "GENERAL"}, {"CRNEL", "CORONEL"}, {"CRNL", "CORONEL"}, {"STO", "SANTO"},
        {"STA", "SANTA"},     {"SN", "SAN"},       {"DR", "DOCTOR"},     {"PTO", "PUERTO"},
    };
    std::vector<std::string> words = split_words(folded);
    for (auto& w : words)
        for (auto [abbr, full] : table)
            if (w == abbr) w = std::string(full);
    return join(words);
}

const std::set<std::string>& filler_words() {
    static const std::set<std::string> words = {"DE",     "DEL",   "LA",       "LAS",      "LOS",
                                                "EL",     "Y",     "CABECERA", "CANTONAL", "PARROQUIA",
                                                "URBANA", "RURAL", "SATELITE", "CIUDAD",   "CANTON"};
    return words;
}

std::set<std::string> content_words(const std::string& folded) {
    std::set<std::string> out;
    for (auto& w : split_words(folded))
        if (!filler_words().count(w)) out.insert(w);
    return out;
}
}  // namespace

std::string fold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = true;
    auto put = [&](char c) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            space = false;
        } else if (!space) {
            out += ' ';
            space = true;
        }
    };
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            put(static_cast<char>(c));
            ++i;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
            char32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            char b = base_letter(cp);
            put(b ? b : ' ');
            i += 2;
        } else {
            // Other multi-byte characters carry no letter we compare on.
            std::size_t len = (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            put(' ');
            i += len;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::vector<std::string> variants(std::string_view utf8) {
    std::string text(utf8);
    std::vector<std::string> out;
    auto add = [&out](const std::string& v) {
        std::string f = expand_abbreviations(fold(v));
        if (!f.empty() && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    };
    add(text);
    // Outside parentheses, and each parenthesised alternative.
    std::string outside;
    int depth = 0;
    std::string inside;
    for (char c : text) {
        if (c == '(') {
            if (depth++ == 0) inside.clear();
        } else if (c == ')') {
            if (depth > 0 && --depth == 0) add(inside);
        } else if (depth > 0) {
            inside += c;
        } else {
            outside += c;
        }
    }
    add(outside);
    return out;
}

int match_quality(std::string_view a, std::string_view b) {
    if (fold(a) == fold(b)) return 3;
    auto va = variants(a);
    auto vb = variants(b);
    for (const auto& x : va)
        for (const auto& y : vb)
            if (x == y) return 2;
    for (const auto& x : va)
        for (const auto& y : vb) {
            auto wx = content_words(x);
            auto wy = content_words(y);
            if (wx.empty() || wy.empty()) continue;
            if (std::includes(wx.begin(), wx.end(), wy.begin(), wy.end()) ||
                std::includes(wy.begin(), wy.end(), wx.begin(), wx.end()))
                return 1;
        }
    return 0;
}

std::string field_key(std::string_view field) {
    std::string f = fold(field);
    std::string out;
    for (char c : f)
        if (c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<std::size_t> find_field(const std::vector<std::string>& fields, std::string_view wanted) {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (fields[i] == wanted) return i;
    std::string key = field_key(wanted);
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (field_key(fields[i]) == key) return i;
    return std::nullopt;
}

}  // namespace microplan::geo::names
