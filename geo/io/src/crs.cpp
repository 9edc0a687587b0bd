#include "microplan/geo/io/crs.hpp"

#include <cpl_conv.h>

#include "microplan/geo/core/proj.hpp"

namespace microplan::geo {

namespace {

std::string wkt2_of(const OGRSpatialReference& srs) {
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2019", nullptr};
    srs.exportToWkt(&wkt, options);
    std::string out = wkt ? wkt : "";
    CPLFree(wkt);
    return out;
}

}  // namespace

bool arrives_north_first(const OGRSpatialReference& srs) {
    // The mapping says which CRS axis (1-based, negative when inverted) each data axis holds.
    const auto& mapping = srs.GetDataAxisToSRSAxisMapping();
    if (mapping.size() < 2) return false;
    const bool crs_north_first = srs.EPSGTreatsAsLatLong() || srs.EPSGTreatsAsNorthingEasting();
    const int first = mapping[0] < 0 ? -mapping[0] : mapping[0];
    return crs_north_first ? first == 1 : first == 2;
}

resolved_crs resolve_layer_crs(const OGRSpatialReference* layer_srs, const std::string& user_crs, bool swap_xy,
                               const error_location& where, const std::string& fallback) {
    resolved_crs out;
    out.swap_xy = swap_xy;
    if (!user_crs.empty()) {
        out.definition = user_crs;
    } else if (layer_srs) {
        out.definition = wkt2_of(*layer_srs);
        // PROJ's normalised operations take (east, north); data in the CRS's own order on a
        // north-first CRS arrive (lat, lon).
        if (arrives_north_first(*layer_srs)) out.swap_xy = !out.swap_xy;
    } else if (!fallback.empty()) {
        out.definition = fallback;
        out.assumed = true;
    } else {
        throw crs_error(where, "no CRS",
                        "the layer does not say which coordinate reference system it uses (e.g. a Shapefile "
                        "without .prj); give it with --s-srs, e.g. --s-srs EPSG:4326 or --s-srs EPSG:32717");
    }
    at_location(where, [&] {
        out.name = proj::crs_name(out.definition);
        out.geographic = proj::crs_is_geographic(out.definition);
    });
    return out;
}

void check_analysis_crs(const std::string& crs, const error_location& where) {
    const bool geographic = at_location(where, [&] { return proj::crs_is_geographic(crs); });
    if (geographic)
        throw crs_error(where, "analysis CRS in degrees",
                        "the analysis CRS " + proj::crs_name(crs) +
                            " is geographic (degrees): areas would be square degrees, not km²; choose a projected CRS "
                            "(Ecuador: EPSG:32717, UTM 17S)");
}

bool inside_area_of_use(double lon, double lat, const std::string& crs, double margin_deg) {
    proj::area_of_use a = proj::crs_area_of_use(crs);
    return lon >= a.west - margin_deg && lon <= a.east + margin_deg && lat >= a.south - margin_deg &&
           lat <= a.north + margin_deg;
}

void check_axis_order(const resolved_crs& source, double cx, double cy, bool in_range, const std::string& analysis_crs,
                      const error_location& where) {
    if (!source.geographic) return;
    if ((!in_range || !inside_area_of_use(cx, cy, analysis_crs, 10.0)) &&
        inside_area_of_use(cy, cx, analysis_crs, 10.0))
        throw crs_error(where, "axes swapped",
                        "the coordinates read as (lon, lat) fall outside the area of " + proj::crs_name(analysis_crs) +
                            " but fit it as (lat, lon): the data has latitude first; re-run with --swap-xy");
}

}  // namespace microplan::geo
