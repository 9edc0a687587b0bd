#include "microplan/service/tiles_service.hpp"

#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/gzip.hpp"
#include "microplan/service/routes.hpp"

namespace microplan::service {

using nlohmann::json;

namespace {
// Drawing order in the composite: admin units under planning units, points on top.
const char* const composite_order[] = {"provinces", "cantons",  "parishes",      "zones",
                                       "districts", "circuits", "establishments"};

std::string field_type(const std::string& name) { return name == "capacity" ? "Number" : "String"; }
}  // namespace

std::vector<const tiles::vector_layer*> tiles_service::layers_of(const snapshot& data, const std::string& layer) {
    std::vector<const tiles::vector_layer*> out;
    if (layer == "all") {
        for (const char* id : composite_order)
            if (const collection* c = data.find(id); c && c->layer) out.push_back(c->layer.get());
        // Labels on top of every polygon and point.
        for (const char* id : composite_order)
            if (const collection* c = data.find(id); c && c->labels) out.push_back(c->labels.get());
        return out;
    }
    if (const collection* c = data.find(layer); c && c->layer) out.push_back(c->layer.get());
    constexpr std::string_view suffix = "_labels";
    if (layer.ends_with(suffix))
        if (const collection* c = data.find(std::string_view(layer).substr(0, layer.size() - suffix.size()));
            c && c->labels)
            out.push_back(c->labels.get());
    return out;
}

http_response tiles_service::tile(const request_context& ctx, const std::string& layer, const std::string& z,
                                  const std::string& x, const std::string& y_mvt, bool gzip) const {
    std::string_view y = y_mvt;
    if (y.size() > 4 && y.substr(y.size() - 4) == ".mvt")
        y.remove_suffix(4);
    else if (y.size() > 4 && y.substr(y.size() - 4) == ".pbf")
        y.remove_suffix(4);
    else
        throw request_error(404, "NotFound", "tiles are served as /tiles/{layer}/{z}/{x}/{y}.mvt");
    auto id = tiles::parse_tile(z, x, y);
    if (!id)
        throw request_error(400, "InvalidParameterValue",
                            "no tile " + geo::utf8::excerpt(z, 12) + "/" + geo::utf8::excerpt(x, 12) + "/" +
                                std::string(geo::utf8::excerpt(y, 12)) + ": z must be 0-" +
                                std::to_string(tiles::max_zoom) + " and x, y 0 to 2^z - 1");
    auto layers = layers_of(*ctx.data, layer);
    if (layers.empty()) throw request_error(404, "NotFound", "no tile layer '" + geo::utf8::excerpt(layer, 60) + "'");

    std::shared_ptr<const cached_tile> t = cache_.get(layer, *id);
    if (!t) {
        tiles::rendered_tile r = tiles::render_tile(layers, *id);
        t = std::make_shared<const cached_tile>(layer, *id, std::move(r.data));
        cache_.put(t, ctx.data->generation());
    }
    http_response out;
    out.content_type = "application/vnd.mapbox-vector-tile";
    out.add_header("ETag", t->etag());
    out.add_header("Cache-Control", "no-cache");
    if (if_none_match_matches(ctx.http.if_none_match, t->etag())) {
        out.status = 304;
        return out;
    }
    if (gzip && t->data()->size() > 256) {
        out.body = t->gzipped();
        out.add_header("Content-Encoding", "gzip");
        out.add_header("Vary", "Accept-Encoding");
    } else {
        out.body = t->data();
    }
    return out;
}

http_response tiles_service::tilejson(const request_context& ctx, const std::string& layer) const {
    auto layers = layers_of(*ctx.data, layer);
    if (layers.empty()) throw request_error(404, "NotFound", "no tile layer '" + geo::utf8::excerpt(layer, 60) + "'");
    json vector_layers = json::array();
    for (const auto* l : layers) {
        json fields = json::object();
        for (const auto& k : l->keys()) fields[k] = field_type(k);
        vector_layers.push_back({{"id", l->name()},
                                 {"description", collection_title(l->name())},
                                 {"minzoom", 0},
                                 {"maxzoom", tiles::max_zoom},
                                 {"fields", fields}});
    }
    // A labels layer has the extent of its collection.
    const collection* own = layer == "all" ? nullptr : ctx.data->find(layer);
    if (layer != "all" && !own) own = ctx.data->find(std::string_view(layer).substr(0, layer.size() - 7));
    tiles::box b = own ? own->extent : ctx.data->extent();
    json bounds =
        b.empty() ? json::array({-180, -85.0511, 180, 85.0511}) : json::array({b.minx, b.miny, b.maxx, b.maxy});
    // The viewer opens on the first view (the mainland), the others are offered (islands far away).
    json views = json::array();
    for (const map_view& v : ctx.data->views())
        views.push_back({{"id", v.id},
                         {"bounds", json::array({v.bounds.minx, v.bounds.miny, v.bounds.maxx, v.bounds.maxy})},
                         {"names", v.names}});
    tiles::box open = layer == "all" && !ctx.data->views().empty() ? ctx.data->views().front().bounds : b;
    json center =
        b.empty() ? json::array({0, 0, 1}) : json::array({(open.minx + open.maxx) / 2, (open.miny + open.maxy) / 2, 6});
    return json_response({{"tilejson", "3.0.0"},
                          {"name", layer == "all" ? "microplan" : collection_title(layer)},
                          {"description", "Vector tiles of the microplan store"},
                          {"version", "1.0.0"},
                          {"scheme", "xyz"},
                          {"tiles", json::array({ctx.base_url + "/tiles/" + layer + "/{z}/{x}/{y}.mvt"})},
                          {"minzoom", 0},
                          {"maxzoom", tiles::max_zoom},
                          {"bounds", bounds},
                          {"center", center},
                          {"views", views},
                          {"vector_layers", vector_layers}});
}

http_response tiles_service::style(const request_context& ctx) const {
    const snapshot& d = *ctx.data;
    json layers =
        json::array({{{"id", "fondo"}, {"type", "background"}, {"paint", {{"background-color", "#f4f1ea"}}}}});
    auto has = [&](const char* id) { return d.find(id) && d.find(id)->layer; };
    auto line = [](const std::string& id, const std::string& source_layer, const char* color, double width,
                   int minzoom) {
        return json{{"id", id},
                    {"type", "line"},
                    {"source", "microplan"},
                    {"source-layer", source_layer},
                    {"minzoom", minzoom},
                    {"paint", {{"line-color", color}, {"line-width", width}}}};
    };
    for (const char* admin : {"provinces", "cantons", "parishes"})
        if (has(admin)) layers.push_back(line(std::string(admin) + "-borde", admin, "#b0a890", 0.6, 0));
    if (has("zones"))
        layers.push_back({{"id", "zonas-relleno"},
                          {"type", "fill"},
                          {"source", "microplan"},
                          {"source-layer", "zones"},
                          {"paint", {{"fill-color", "#d9e4d0"}, {"fill-opacity", 0.5}}}});
    if (has("circuits")) layers.push_back(line("circuitos-borde", "circuits", "#8a8a8a", 0.5, 7));
    if (has("districts")) layers.push_back(line("distritos-borde", "districts", "#4d5a6a", 1.0, 5));
    if (has("zones")) layers.push_back(line("zonas-borde", "zones", "#1f2d3d", 2.0, 0));
    if (has("establishments"))
        layers.push_back({{"id", "establecimientos"},
                          {"type", "circle"},
                          {"source", "microplan"},
                          {"source-layer", "establishments"},
                          {"minzoom", 6},
                          {"paint",
                           {{"circle-radius", {"match", {"get", "scale"}, "zone", 7, "district", 5, 3}},
                            {"circle-stroke-width", 0.5},
                            {"circle-stroke-color", "#ffffff"},
                            {"circle-color",
                             {"match",
                              {"get", "sector"},
                              "health",
                              "#d7301f",
                              "education",
                              "#2b8cbe",
                              "security",
                              "#4d4d4d",
                              "child_development",
                              "#fe9929",
                              "#7a0177"}}}}});
    tiles::box b = d.extent();
    json center = b.empty() ? json::array({0, 0}) : json::array({(b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2});
    return json_response({{"version", 8},
                          {"name", "microplan"},
                          {"center", center},
                          {"zoom", 6},
                          {"sources", {{"microplan", {{"type", "vector"}, {"url", ctx.base_url + "/tiles/all.json"}}}}},
                          {"layers", layers}});
}

void tiles_service::register_routes(route_table& table) const {
    const char* const tag = "Vector tiles";
    const api_response bad_tile = error_response_doc(400, "No such tile: z, x or y out of range");
    const api_response no_layer = error_response_doc(404, "No such tile layer");
    const nlohmann::json layer =
        path_parameter("layer", "A collection id, or 'all' (every collection in one tile)", {{"type", "string"}});
    // .pbf is the other suffix tile clients ask for; both answer the same tile.
    for (const char* suffix : {"mvt", "pbf"}) {
        const std::string ext = std::string(".") + suffix;
        table.add(
            {.pattern = "/tiles/{layer}/{z}/{x}/{y}" + ext,
             .quick = true,
             .handler =
                 [this, ext](const request_context& ctx, const path_params& p) {
                     return tile(ctx, p["layer"], p["z"], p["x"], p["y"] + ext, accepts_gzip(ctx.http.accept_encoding));
                 },
             .api = {.operation_id = ext == ".mvt" ? "getTile" : "getTilePbf",
                     .summary = "Mapbox Vector Tile 2.1 (z 0-" + std::to_string(tiles::max_zoom) + ")",
                     .tags = {tag},
                     .parameters = {layer,
                                    path_parameter("z", "Zoom level",
                                                   {{"type", "integer"}, {"minimum", 0}, {"maximum", tiles::max_zoom}}),
                                    path_parameter("x", "Column (0 to 2^z - 1)", {{"type", "integer"}, {"minimum", 0}}),
                                    path_parameter("y", "Row from the north (0 to 2^z - 1)",
                                                   {{"type", "integer"}, {"minimum", 0}})},
                     .responses = {
                         ok_response("The tile (gzip when the client takes it)", "application/vnd.mapbox-vector-tile",
                                     {{"type", "string"}, {"format", "binary"}}),
                         bad_tile, no_layer}}});
    }
    table.add(
        {.pattern = "/tiles/{layer}.json",
         .quick = true,
         .handler = [this](const request_context& ctx, const path_params& p) { return tilejson(ctx, p["layer"]); },
         .api = {.operation_id = "getTileJSON",
                 .summary = "TileJSON 3.0 of a tile layer",
                 .tags = {tag},
                 .parameters = {layer},
                 .responses = {ok_response("TileJSON"), no_layer}}});
    // The style is also served without its extension (MapLibre style URLs often have none).
    for (const char* path : {"/styles/microplan.json", "/styles/microplan"}) {
        const bool canonical = std::string_view(path).ends_with(".json");
        table.add({.pattern = path,
                   .quick = true,
                   .handler = [this](const request_context& ctx, const path_params&) { return style(ctx); },
                   .api = {.operation_id = canonical ? "getStyle" : "getStyleWithoutExtension",
                           .summary = canonical ? "MapLibre style over the 'all' tiles"
                                                : "The MapLibre style (as /styles/microplan.json)",
                           .tags = {tag},
                           .responses = {ok_response("MapLibre style")}}});
    }
}

}  // namespace microplan::service
