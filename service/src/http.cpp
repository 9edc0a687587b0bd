#include "microplan/service/http.hpp"

namespace microplan::service {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t'; }
std::string_view opaque_tag(std::string_view etag) { return etag.substr(0, 2) == "W/" ? etag.substr(2) : etag; }
}  // namespace

bool if_none_match_matches(std::string_view header, std::string_view etag) {
    const std::string_view ours = opaque_tag(etag);
    std::size_t at = 0;
    auto skip_spaces = [&] {
        while (at < header.size() && is_space(header[at])) ++at;
    };
    while (at < header.size()) {
        skip_spaces();
        // One member: "*", or an entity tag [W/]"opaque" (commas may occur inside the quotes).
        std::string_view member;
        if (header[at] == '*') {
            member = header.substr(at++, 1);
        } else {
            const std::size_t start = at;
            if (header.substr(at, 2) == "W/") at += 2;
            if (at < header.size() && header[at] == '"') {
                const std::size_t close = header.find('"', at + 1);
                if (close == std::string_view::npos) return false;  // unterminated: the rest is malformed
                member = header.substr(at, close + 1 - at);
                at = close + 1;
            } else if (at == start && at < header.size() && header[at] == ',') {
                ++at;  // an empty member ("a, , b")
                continue;
            }
        }
        skip_spaces();
        const bool well_formed = !member.empty() && (at == header.size() || header[at] == ',');
        if (well_formed && (member == "*" || member == ours)) return true;
        // Past this member (a malformed one up to the next comma).
        const std::size_t comma = header.find(',', at);
        if (comma == std::string_view::npos) break;
        at = comma + 1;
    }
    return false;
}

}  // namespace microplan::service
