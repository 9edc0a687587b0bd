#pragma once
// OGC API – Features (Part 1 Core, Part 2 CRS, Part 3 Basic CQL2 and queryables) and plain
// GeoJSON downloads over a snapshot's collections: the endpoints QGIS and GDAL's OAPIF
// driver use (DESIGN.md §3). Coordinates in CRS84 unless `crs` asks for EPSG:4326 (lat, lon
// order), EPSG:32717 or EPSG:3857.
//
// Item pages, single items and GeoJSON downloads are serialised once per snapshot and request
// target and then served from the page cache (page_cache.hpp), compressed once too.
//
// Thread safety: call from any thread (the page cache is synchronised).
#include <functional>

#include "microplan/service/context.hpp"
#include "microplan/service/page_cache.hpp"

namespace microplan::service {

class route_table;

class features_service {
public:
    static constexpr std::int64_t default_limit = 100;
    static constexpr std::int64_t max_limit = 10000;

    explicit features_service(page_cache& pages) : pages_(pages) {}

    http_response landing(const request_context& ctx) const;
    http_response conformance(const request_context& ctx) const;
    http_response collections(const request_context& ctx) const;
    http_response describe_collection(const request_context& ctx, const std::string& id) const;
    http_response queryables(const request_context& ctx, const std::string& id) const;
    http_response items(const request_context& ctx, const std::string& id) const;
    http_response item(const request_context& ctx, const std::string& id, const std::string& fid) const;
    // The whole layer as one FeatureCollection (bbox, precision and the property filters apply).
    http_response geojson(const request_context& ctx, const std::string& id) const;

    // Registers /conformance, /collections... and /geojson/{collectionId} (the landing page is
    // the request handler's: it shares "/" with the viewer). `this` must outlive the table.
    void register_routes(route_table& table) const;

private:
    // The answer from the page cache, or made by `make` (a 200) and cached.
    http_response cached(const request_context& ctx, const std::string& collection,
                         const std::function<http_response()>& make) const;
    // The answers themselves, for a collection found in the request's snapshot.
    http_response make_items(const request_context& ctx, const collection& c) const;
    http_response make_item(const request_context& ctx, const collection& c, const std::string& fid) const;
    http_response make_geojson(const request_context& ctx, const collection& c) const;

    page_cache& pages_;
};

// The CRS a client names (URI, "EPSG:n" or "[EPSG:n]"), as one of the served ones; throws
// request_error 400 for any other.
struct served_crs {
    std::string uri;   // http://www.opengis.net/def/crs/...
    std::string proj;  // what PROJ takes: "OGC:CRS84", "EPSG:4326", ...
    bool lat_first = false;
    bool degrees = true;
};
const std::vector<served_crs>& served_crss();
const served_crs& parse_crs(std::string_view parameter, std::string_view text);

}  // namespace microplan::service
