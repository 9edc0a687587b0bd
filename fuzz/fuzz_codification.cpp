// The codification table reader (zone > district > circuit with province, canton, parish
// names) over arbitrary CSV bytes in /vsimem/.
#include <gdal_priv.h>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/codification.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    microplan::geo::gdal::ensure_registered();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const char* path = "/vsimem/codes.csv";
    VSILFILE* f = VSIFileFromMemBuffer(path, const_cast<GByte*>(data), size, FALSE);
    VSIFCloseL(f);
    try {
        auto table = microplan::geo::codification_table::read(path);
        (void)table.rows().size();
    } catch (const microplan::geo::error&) {
    }
    VSIUnlink(path);
    return 0;
}
