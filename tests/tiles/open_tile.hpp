#pragma once
// Opens tile bytes with GDAL's MVT driver as tile z/x/y, unclipped (the raw tile geometry in
// EPSG:3857; GDAL exposes each feature's MVT id as the field mvt_id). The bytes must outlive
// the dataset.
#include <gdal_priv.h>

#include <string>

#include "microplan/tiles/tile_id.hpp"

namespace microplan::test {

inline GDALDatasetUniquePtr open_mvt(const std::string& bytes, const tiles::tile_id& t, const std::string& tag) {
    std::string path =
        "/vsimem/" + tag + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".mvt";
    VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(bytes.data())),
                                       bytes.size(), FALSE);
    VSIFCloseL(f);
    const char* options[] = {"CLIP=NO", nullptr};
    const char* drivers[] = {"MVT", nullptr};
    return GDALDatasetUniquePtr(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR, drivers, options));
}

}  // namespace microplan::test
