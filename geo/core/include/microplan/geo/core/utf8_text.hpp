#pragma once
// Text limits counted in characters (Unicode code points), not bytes, and cuts that never fall
// inside a UTF-8 character: a name of 200 letters is 200 whatever its accents, and a message
// quoting the start of a client's value stays valid UTF-8. On text that is not valid UTF-8 the
// count is approximate (stray continuation bytes count as nothing): validity is checked where
// text enters (the JSON parser refuses invalid UTF-8 in request bodies).
//
// Pure functions of their arguments; safe from any thread.
#include <cstddef>
#include <string>
#include <string_view>

namespace microplan::geo::utf8 {

// A byte that continues a multi-byte character (10xxxxxx).
constexpr bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

// How many characters `text` holds.
constexpr std::size_t length(std::string_view text) noexcept {
    std::size_t n = 0;
    for (char c : text) n += is_continuation(static_cast<unsigned char>(c)) ? 0 : 1;
    return n;
}

// The longest prefix of `text` with at most `max_chars` characters.
constexpr std::string_view prefix(std::string_view text, std::size_t max_chars) noexcept {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_continuation(static_cast<unsigned char>(text[i]))) continue;
        if (chars == max_chars) return text.substr(0, i);
        ++chars;
    }
    return text;
}

// `text` for a message: at most `max_chars` characters, "..." when it was cut.
inline std::string excerpt(std::string_view text, std::size_t max_chars) {
    std::string_view head = prefix(text, max_chars);
    return head.size() == text.size() ? std::string(text) : std::string(head) + "...";
}

// `text` for HTML: &, <, > and double quotes escaped (the rest, UTF-8 included, as it is).
inline std::string html_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

}  // namespace microplan::geo::utf8
