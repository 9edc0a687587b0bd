// Arbitrary polygons and points (coordinates from the input, NaN and huge values included)
// through the shared-border topology, simplification, clipping and MVT encoding, at the zoom and
// tile the input picks.
#include <cmath>
#include <cstring>
#include <vector>

#include "microplan/tiles/tileset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace microplan::tiles;
    if (size < 4) return 0;
    tile_id t{static_cast<std::uint32_t>(data[0] % 17), 0, 0};
    const std::uint32_t n = 1u << t.z;
    t.x = static_cast<std::uint32_t>(data[1]) % n;
    t.y = static_cast<std::uint32_t>(data[2]) % n;
    const bool points = data[3] & 1;
    data += 4, size -= 4;
    // Pairs of float32 become coordinates within (or beyond) the Mercator world.
    std::vector<point> coords;
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        float x, y;
        std::memcpy(&x, data + i, 4);
        std::memcpy(&y, data + i + 4, 4);
        coords.push_back({static_cast<double>(x), static_cast<double>(y)});
    }
    layer_source src;
    src.name = "fuzz";
    src.keys = {"code"};
    if (points) {
        for (std::size_t i = 0; i < coords.size(); ++i) {
            src.ids.push_back(i + 1);
            src.properties.push_back({std::string("p")});
            src.points.push_back(coords[i]);
        }
    } else {
        // Features of up to 6 vertices each.
        for (std::size_t i = 0; i + 3 <= coords.size(); i += 6) {
            polygon p;
            p.rings.emplace_back(coords.begin() + static_cast<long>(i),
                                 coords.begin() + static_cast<long>(std::min(coords.size(), i + 6)));
            src.ids.push_back(i + 1);
            src.properties.push_back({std::string("f")});
            src.polygons.push_back({p});
        }
    }
    if (src.ids.empty()) return 0;
    try {
        vector_layer layer(std::move(src));
        const vector_layer* layers[] = {&layer};
        auto tile = render_tile(layers, t);
        (void)tile;
    } catch (const std::invalid_argument&) {  // refused input (documented)
    }
    return 0;
}
