// Travel-time tiles as PNG through GDAL's MEM and PNG drivers (scenario_travel.hpp).
#include <gdal_priv.h>

#include <array>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/usecases/scenario_travel.hpp"

namespace microplan::geo::usecases {

namespace {
// ColorBrewer RdYlGn, reversed: within the first threshold green, beyond the last red.
constexpr std::array<std::array<std::uint8_t, 3>, 8> ramp = {{{26, 152, 80},
                                                              {102, 189, 99},
                                                              {166, 217, 106},
                                                              {217, 239, 139},
                                                              {254, 224, 139},
                                                              {253, 174, 97},
                                                              {244, 109, 67},
                                                              {215, 48, 39}}};
}  // namespace

std::string travel_tile_png(const travel_tile& tile) {
    gdal::ensure_registered();
    const std::size_t n = tile_pixels * tile_pixels, classes = tile.thresholds.size() + 1;
    std::vector<std::uint8_t> rgba(4 * n, 0);  // band-sequential: R, G, B, A planes
    for (std::size_t i = 0; i < n; ++i) {
        const float m = tile.minutes[i];
        if (std::isnan(m)) continue;  // impassable or off the surface: transparent
        std::array<std::uint8_t, 3> c = {90, 90, 90};
        std::uint8_t alpha = 110;  // unreached: grey
        if (std::isfinite(m)) {
            std::size_t k = 0;
            while (k < tile.thresholds.size() && !(m <= tile.thresholds[k])) ++k;
            c = ramp[classes > 1 ? k * (ramp.size() - 1) / (classes - 1) : 0];
            alpha = 170;
        }
        rgba[i] = c[0], rgba[n + i] = c[1], rgba[2 * n + i] = c[2], rgba[3 * n + i] = alpha;
    }
    static std::atomic<unsigned> serial{0};
    const std::string path = "/vsimem/microplan_travel_tile_" + std::to_string(++serial) + ".png";
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
    if (!mem || !png) throw std::runtime_error("GDAL has no MEM or PNG driver");
    const int side = static_cast<int>(tile_pixels);
    GDALDatasetUniquePtr ds(mem->Create("", side, side, 4, GDT_Byte, nullptr));
    if (!ds || ds->RasterIO(GF_Write, 0, 0, side, side, rgba.data(), side, side, GDT_Byte, 4, nullptr, 0, 0, 0,
                            nullptr) != CE_None)
        throw std::runtime_error("cannot build the tile in memory: " + std::string(CPLGetLastErrorMsg()));
    GDALDatasetUniquePtr out(png->CreateCopy(path.c_str(), ds.get(), FALSE, nullptr, nullptr, nullptr));
    if (!out) throw std::runtime_error("cannot encode the tile as PNG: " + std::string(CPLGetLastErrorMsg()));
    out.reset();
    vsi_l_offset size = 0;
    GByte* bytes = VSIGetMemFileBuffer(path.c_str(), &size, TRUE);  // TRUE: the buffer is ours to free
    std::string result(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
    VSIFree(bytes);
    VSIUnlink((path + ".aux.xml").c_str());  // none is written without metadata; never leave one
    return result;
}

}  // namespace microplan::geo::usecases
