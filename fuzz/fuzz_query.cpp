// Query strings and paths as a client sends them: target parsing (percent-decoding, traversal),
// the typed parameters (integers, numbers, bboxes), tile z/x/y and CQL2-text filters.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "microplan/service/cql2.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/query.hpp"
#include "microplan/tiles/tile_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace microplan::service;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        parsed_target t = parse_target(text);
        for (const auto& [name, value] : t.params) {
            try {
                (void)parse_integer(name, value, 0, 10000);
            } catch (const request_error&) {
            }
            try {
                (void)parse_number(name, value);
            } catch (const request_error&) {
            }
            try {
                (void)parse_bbox(name, value);
            } catch (const request_error&) {
            }
        }
        if (t.segments.size() >= 3) (void)microplan::tiles::parse_tile(t.segments[0], t.segments[1], t.segments[2]);
    } catch (const request_error&) {
    }
    try {
        cql2_filter f(text, [](std::string_view name) { return name == "code" || name == "population"; });
        (void)f.matches(nlohmann::json{{"code", "17D06"}, {"population", 12000}});
    } catch (const request_error&) {
    }
    return 0;
}
