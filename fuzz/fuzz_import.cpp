// The import paths microplan owns over whatever GDAL makes of the bytes: units (GeoJSON, or CSV
// with WKT) and establishments (GeoJSON points, or CSV with lon/lat in English or Spanish).
// Files live in GDAL's /vsimem/. Bad data must become a microplan::geo::error, never a crash.
#include <gdal_priv.h>

#include <string>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/vector_import.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    microplan::geo::gdal::ensure_registered();
    CPLSetConfigOption("CPL_LOG", "/dev/null");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool csv = data[0] & 1, establishments = data[0] & 2;
    const std::string path = std::string("/vsimem/fuzz.") + (csv ? "csv" : "geojson");
    VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), const_cast<GByte*>(data + 1), size - 1, FALSE);
    VSIFCloseL(f);
    try {
        if (establishments) {
            microplan::geo::establishment_import_options o;
            o.path = path;
            o.sector = "health";
            (void)microplan::geo::read_establishments(o);
        } else {
            microplan::geo::import_options o;
            o.path = path;
            o.lvl = microplan::geo::level::parish;
            o.source_crs = "EPSG:4326";
            o.threads = 1;
            (void)microplan::geo::read_units(o);
        }
    } catch (const microplan::geo::error&) {  // an unknown CRS included (PROJ's errors are crs_error)
    }
    VSIUnlink(path.c_str());
    return 0;
}
