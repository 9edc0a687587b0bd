#include "microplan/service/query.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/service/error_response.hpp"

namespace microplan::service {

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[noreturn]] void bad(std::string message) { throw request_error(400, "InvalidParameterValue", std::move(message)); }

// A client's value quoted in a message: at most 80 characters, never cut inside one.
std::string shown(std::string_view text) {
    std::string s = geo::utf8::excerpt(text, 80);
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') c = '?';
    return s;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return std::nullopt;
        out.push_back(c);
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

namespace {

// The first byte of `target` that is a control character, a space or not part of well-formed
// UTF-8; nullopt when there is none.
std::optional<std::size_t> bad_target_byte(std::string_view t) {
    for (std::size_t i = 0; i < t.size();) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c < 0x80) {
            if (c < 0x21 || c == 0x7f) return i;
            ++i;
            continue;
        }
        const std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
        if (n == 0 || c > 0xF4 || i + n > t.size()) return i;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(t[i + k]) & 0xC0) != 0x80) return i;
        const auto c1 = static_cast<unsigned char>(t[i + 1]);
        // Overlong forms, surrogates and code points beyond U+10FFFF.
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
            (c == 0xF4 && c1 > 0x8F))
            return i;
        i += n;
    }
    return std::nullopt;
}

}  // namespace

parsed_target parse_target(std::string_view target) {
    if (target.empty() || target.front() != '/')
        throw request_error(400, "BadRequest", "the request target must be an absolute path");
    // RFC 3986 wants other characters percent-encoded; raw UTF-8 (what curl sends for a typed
    // "ñ") is taken as its characters, but control bytes and bytes that are not UTF-8 are the
    // client's mistake: they would reach links and messages that must be UTF-8 (the fuzzer sent
    // 0xFF in a query: a 500).
    if (auto bad = bad_target_byte(target)) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(target[*bad]));
        throw request_error(400, "BadRequest",
                            "the request target must be printable ASCII or UTF-8: byte " + std::to_string(*bad) +
                                " is " + hex + "; percent-encode other characters (%C3%B1 for ñ)");
    }
    parsed_target out;
    std::string_view path = target, query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        query = target.substr(q + 1);
    }
    if (auto h = query.find('#'); h != std::string_view::npos) query = query.substr(0, h);
    out.raw_query = std::string(query);
    std::size_t pos = 1;
    while (pos <= path.size()) {
        std::size_t next = path.find('/', pos);
        if (next == std::string_view::npos) next = path.size();
        std::string_view raw = path.substr(pos, next - pos);
        if (!raw.empty()) {
            auto seg = percent_decode(raw, false);
            if (!seg) throw request_error(400, "BadRequest", "bad percent-encoding in the path");
            if (*seg == "." || *seg == ".." || seg->find('/') != std::string::npos ||
                seg->find('\\') != std::string::npos)
                throw request_error(400, "BadRequest", "path segments '.', '..' and encoded slashes are not allowed");
            out.segments.push_back(std::move(*seg));
        }
        pos = next + 1;
    }
    std::size_t at = 0;
    while (at < query.size()) {
        std::size_t amp = query.find('&', at);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view pair = query.substr(at, amp - at);
        at = amp + 1;
        if (pair.empty()) continue;
        std::size_t eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!key || !value) bad("bad percent-encoding in the query string");
        out.params.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

std::optional<std::string> parsed_target::get(std::string_view name) const {
    for (const auto& [k, v] : params)
        if (k == name) return v;
    return std::nullopt;
}

std::int64_t parse_integer(std::string_view name, std::string_view text, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < min || v > max)
        bad("parameter '" + std::string(name) + "': '" + shown(text) + "' is not a whole number from " +
            std::to_string(min) + " to " + std::to_string(max));
    return v;
}

double parse_number(std::string_view name, std::string_view text) {
    double v = 0;
    std::string_view t = text;
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc{} || end != t.data() + t.size() || !std::isfinite(v))
        bad("parameter '" + std::string(name) + "': '" + shown(text) + "' is not a finite number");
    return v;
}

bool parse_flag(std::string_view name, const std::optional<std::string>& text) {
    if (!text) return false;
    if (*text == "true" || *text == "1") return true;
    if (*text == "false" || *text == "0") return false;
    bad("parameter '" + std::string(name) + "': 'true', '1', 'false' or '0', not '" + shown(*text) + "'");
}

std::array<double, 4> parse_bbox(std::string_view name, std::string_view text) {
    std::vector<double> v;
    std::size_t at = 0;
    while (at <= text.size() && v.size() < 7) {
        std::size_t comma = text.find(',', at);
        if (comma == std::string_view::npos) comma = text.size();
        v.push_back(parse_number(name, text.substr(at, comma - at)));
        at = comma + 1;
    }
    if (v.size() != 4 && v.size() != 6)
        bad("parameter '" + std::string(name) + "': expected 4 numbers minx,miny,maxx,maxy (or 6 with heights), got '" +
            shown(text) + "'");
    std::array<double, 4> b = v.size() == 4 ? std::array{v[0], v[1], v[2], v[3]} : std::array{v[0], v[1], v[3], v[4]};
    if (b[0] > b[2] || b[1] > b[3])
        bad("parameter '" + std::string(name) + "': the lower corner must come first (minx <= maxx, miny <= maxy)");
    return b;
}

}  // namespace microplan::service
