#include "microplan/service/features_service.hpp"

#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>

#include "microplan/geo/core/proj.hpp"
#include "microplan/geo/core/utf8_text.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/service/cql2.hpp"
#include "microplan/service/error_response.hpp"
#include "microplan/service/feature_edits_service.hpp"
#include "microplan/service/routes.hpp"

namespace microplan::service {

using nlohmann::json;

namespace {

const char* geojson_type = "application/geo+json";

const std::vector<std::string>& conformance_classes() {
    static const std::vector<std::string> c = {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    };
    return c;
}

const served_crs& crs84() { return served_crss().front(); }

[[noreturn]] void not_found(const std::string& what) { throw request_error(404, "NotFound", what); }

const collection& find_collection(const request_context& ctx, const std::string& id) {
    const collection* c = ctx.data->find(id);
    if (!c) {
        std::string ids;
        for (const auto& k : ctx.data->collections()) ids += (ids.empty() ? "" : ", ") + k.id;
        not_found("no collection '" + id + "'; collections: " + ids);
    }
    return *c;
}

// The collection `id` of the request: the snapshot's, or the scenarios' proposals built from the
// book now (snapshot.hpp, proposals_collection), kept in `owned` for the request.
const collection& resolve(const request_context& ctx, const std::string& id, std::optional<collection>& owned) {
    if (id == "proposals" && ctx.scenarios && !ctx.data->find(id)) {
        owned.emplace(proposals_collection(*ctx.scenarios));
        return *owned;
    }
    return find_collection(ctx, id);
}

json link(const std::string& href, const std::string& rel, const std::string& type, const std::string& title = {}) {
    json l = {{"href", href}, {"rel", rel}, {"type", type}};
    if (!title.empty()) l["title"] = title;
    return l;
}

json bbox_json(const tiles::box& b) {
    if (b.empty()) return json::array({-180, -90, 180, 90});
    return json::array({b.minx, b.miny, b.maxx, b.maxy});
}

json collection_json(const request_context& ctx, const collection& c) {
    std::string base = ctx.base_url + "/collections/" + c.id;
    json crs = json::array();
    for (const auto& s : served_crss()) crs.push_back(s.uri);
    json links = json::array({link(base, "self", "application/json", c.title),
                              link(base + "/items", "items", geojson_type, c.title + " (GeoJSON)"),
                              link(base + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                                   "application/schema+json", "Queryables")});
    if (c.layer)
        links.push_back(link(ctx.base_url + "/tiles/" + c.id + ".json", "describedby", "application/json",
                             "TileJSON (vector tiles)"));
    return {{"id", c.id},
            {"title", c.title},
            {"description", c.description},
            {"itemType", "feature"},
            {"extent", {{"spatial", {{"bbox", json::array({bbox_json(c.extent)})}, {"crs", crs84().uri}}}}},
            {"crs", crs},
            {"storageCrs", crs84().uri},
            {"links", links}};
}

// Coordinates out: CRS84 stored values, axis-swapped for EPSG:4326, projected for the others.
class coordinate_writer {
public:
    coordinate_writer(const served_crs& crs, int precision) : crs_(crs), precision_(precision) {
        if (!crs.degrees && crs.proj != "EPSG:3857") to_ = &transformer(crs.proj);
    }

    void write(std::string& out, const tiles::point& lonlat) const {
        double x = lonlat.x, y = lonlat.y;
        if (crs_.lat_first)
            std::swap(x, y);
        else if (crs_.proj == "EPSG:3857") {
            tiles::point m = tiles::lonlat_to_mercator(x, y);
            x = m.x, y = m.y;
        } else if (to_) {
            to_->forward(x, y);
        }
        out.push_back('[');
        number(out, x);
        out.push_back(',');
        number(out, y);
        out.push_back(']');
    }

    void number(std::string& out, double v) const {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, precision_);
        if (ec != std::errc{}) {
            out += "null";
            return;
        }
        char* p = end;
        if (precision_ > 0) {
            while (p > buf && p[-1] == '0') --p;
            if (p > buf && p[-1] == '.') --p;
        }
        if (p - buf == 2 && buf[0] == '-' && buf[1] == '0') {  // -0
            out.push_back('0');
            return;
        }
        out.append(buf, p);
    }

private:
    static const geo::proj::transformer& transformer(const std::string& target) {
        thread_local std::map<std::string, std::unique_ptr<geo::proj::transformer>> cache;
        auto& t = cache[target];
        if (!t) t = std::make_unique<geo::proj::transformer>("EPSG:4326", target);
        return *t;
    }

    const served_crs& crs_;
    int precision_;
    const geo::proj::transformer* to_ = nullptr;
};

void write_geometry(std::string& out, const feature_record& f, const coordinate_writer& w) {
    if (f.location) {
        out += "{\"type\":\"Point\",\"coordinates\":";
        w.write(out, *f.location);
        out += "}";
        return;
    }
    if (f.lonlat.empty()) {
        out += "null";
        return;
    }
    out += "{\"type\":\"MultiPolygon\",\"coordinates\":[";
    for (std::size_t p = 0; p < f.lonlat.size(); ++p) {
        if (p) out.push_back(',');
        out.push_back('[');
        for (std::size_t r = 0; r < f.lonlat[p].rings.size(); ++r) {
            const tiles::ring& ring = f.lonlat[p].rings[r];
            if (r) out.push_back(',');
            out.push_back('[');
            for (const auto& pt : ring) {
                w.write(out, pt);
                out.push_back(',');
            }
            if (!ring.empty()) w.write(out, ring.front());  // GeoJSON rings are closed
            out.push_back(']');
        }
        out.push_back(']');
    }
    out += "]}";
}

void write_feature(std::string& out, const feature_record& f, const coordinate_writer& w, const std::string* links) {
    out += "{\"type\":\"Feature\",\"id\":";
    out += std::to_string(f.fid);
    out += ",\"geometry\":";
    write_geometry(out, f, w);
    out += ",\"properties\":";
    out += f.properties_json;
    if (links) {
        out += ",\"links\":";
        out += *links;
    }
    out += "}";
}

// Does a polygon (lon/lat) meet a box? Any edge crossing the box, or the box inside it.
bool segment_meets_box(tiles::point a, tiles::point b, const tiles::box& r) {
    // Liang–Barsky clipping of the segment against the box.
    double t0 = 0, t1 = 1, dx = b.x - a.x, dy = b.y - a.y;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x - r.minx, r.maxx - a.x, a.y - r.miny, r.maxy - a.y};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0)
                t0 = std::max(t0, t);
            else
                t1 = std::min(t1, t);
            if (t0 > t1) return false;
        }
    }
    return true;
}

bool ring_contains(const tiles::ring& ring, const tiles::point& p) {
    bool in = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const auto &a = ring[i], &b = ring[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
    }
    return in;
}

bool feature_meets_box(const feature_record& f, const tiles::box& r) {
    if (f.bbox.empty() || !f.bbox.intersects(r)) return false;
    if (f.location) return true;  // a point whose bbox meets the box lies in it
    for (const auto& poly : f.lonlat) {
        for (const auto& ring : poly.rings)
            for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
                if (segment_meets_box(ring[j], ring[i], r)) return true;
        // No edge meets the box: it is wholly inside this polygon or outside it.
        tiles::point corner{r.minx, r.miny};
        if (!poly.rings.empty() && ring_contains(poly.rings[0], corner)) {
            bool in_hole = false;
            for (std::size_t h = 1; h < poly.rings.size() && !in_hole; ++h)
                in_hole = ring_contains(poly.rings[h], corner);
            if (!in_hole) return true;
        }
    }
    return false;
}

// A bbox in `crs` as a lon/lat box (corners and edge points transformed).
tiles::box bbox_to_lonlat(const std::array<double, 4>& b, const served_crs& crs) {
    if (crs.degrees) {
        tiles::box out = crs.lat_first ? tiles::box{b[1], b[0], b[3], b[2]} : tiles::box{b[0], b[1], b[2], b[3]};
        if (out.miny < -90 || out.maxy > 90 || out.minx < -180 || out.maxx > 180)
            throw request_error(
                400, "InvalidParameterValue",
                "parameter 'bbox': longitudes must lie in [-180, 180] and latitudes in [-90, 90] for " + crs.uri);
        return out;
    }
    geo::proj::transformer back(crs.proj, "EPSG:4326");
    tiles::box out;
    for (int i = 0; i <= 10; ++i)
        for (int j = 0; j <= 10; ++j) {
            if (i != 0 && i != 10 && j != 0 && j != 10) continue;
            double x = b[0] + (b[2] - b[0]) * i / 10.0, y = b[1] + (b[3] - b[1]) * j / 10.0;
            if (back.forward(x, y) && std::isfinite(x) && std::isfinite(y)) out.extend(tiles::point{x, y});
        }
    if (out.empty())
        throw request_error(400, "InvalidParameterValue", "parameter 'bbox': outside the area of use of " + crs.uri);
    return out;
}

// The selection a request asks for: bbox, property filters, CQL2 filter.
struct selection {
    std::optional<tiles::box> bbox;
    std::vector<std::pair<std::string, std::string>> equals;
    std::optional<cql2_filter> filter;

    bool matches(const feature_record& f) const {
        if (bbox && !feature_meets_box(f, *bbox)) return false;
        for (const auto& [name, value] : equals) {
            auto it = f.properties.find(name);
            if (it == f.properties.end() || it->is_null()) return false;
            if (it->is_string()) {
                if (it->get_ref<const std::string&>() != value) return false;
            } else if (it->is_number()) {
                double v = 0;
                auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
                if (ec != std::errc{} || end != value.data() + value.size() || v != it->get<double>()) return false;
            } else if (it->dump() != value) {
                return false;
            }
        }
        return !filter || filter->matches(f.properties);
    }
};

const std::vector<std::string>& known_parameters() {
    static const std::vector<std::string> k = {"f",        "bbox",       "bbox-crs",     "limit",      "offset",
                                               "crs",      "filter",     "filter-lang",  "filter-crs", "precision",
                                               "datetime", "properties", "skipGeometry", "sortby"};
    return k;
}

selection read_selection(const request_context& ctx, const collection& c) {
    selection s;
    const auto& t = ctx.target;
    if (auto b = t.get("bbox")) {
        const served_crs& bc = t.has("bbox-crs") ? parse_crs("bbox-crs", *t.get("bbox-crs")) : crs84();
        s.bbox = bbox_to_lonlat(parse_bbox("bbox", *b), bc);
    } else if (t.has("bbox-crs")) {
        throw request_error(400, "InvalidParameterValue", "parameter 'bbox-crs' needs a 'bbox'");
    }
    for (const auto& [name, value] : t.params) {
        if (std::find(known_parameters().begin(), known_parameters().end(), name) != known_parameters().end()) continue;
        if (c.find_queryable(name)) s.equals.emplace_back(name, value);
    }
    if (auto f = t.get("filter")) {
        auto lang = t.get("filter-lang");
        if (lang && *lang != "cql2-text")
            throw request_error(
                400, "InvalidParameterValue",
                "parameter 'filter-lang': only 'cql2-text' is supported, not '" + geo::utf8::excerpt(*lang, 40) + "'");
        s.filter.emplace(*f, [&c](std::string_view name) { return c.find_queryable(name) != nullptr; });
    }
    return s;
}

int read_precision(const parsed_target& t, const served_crs& crs) {
    if (auto p = t.get("precision")) return static_cast<int>(parse_integer("precision", *p, 0, 15));
    return crs.degrees ? 7 : 2;
}

// The request's query without `offset`, to build next / prev links.
std::string query_without_offset(const parsed_target& t) {
    std::string q;
    for (const auto& [k, v] : t.params) {
        if (k == "offset") continue;
        q += (q.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
    }
    return q;
}

http_response geojson_response(std::string body, const served_crs& crs) {
    http_response r;
    r.content_type = geojson_type;
    r.set_body(std::move(body));
    r.add_header("Content-Crs", "<" + crs.uri + ">");
    return r;
}

}  // namespace

const std::vector<served_crs>& served_crss() {
    static const std::vector<served_crs> list = {
        {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", false, true},
        {"http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", true, true},
        {"http://www.opengis.net/def/crs/EPSG/0/32717", "EPSG:32717", false, false},
        {"http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857", false, false},
    };
    return list;
}

const served_crs& parse_crs(std::string_view parameter, std::string_view text) {
    std::string t(text);
    if (t.size() > 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
    for (const auto& c : served_crss()) {
        if (t == c.uri || t == c.proj || (c.proj == "OGC:CRS84" && (t == "CRS84" || t == "OGC:CRS84"))) return c;
    }
    std::string list;
    for (const auto& c : served_crss()) list += (list.empty() ? "" : ", ") + c.uri;
    throw request_error(400, "InvalidParameterValue",
                        "parameter '" + std::string(parameter) + "': CRS '" + geo::utf8::excerpt(t, 100) +
                            "' is not served; use one of " + list);
}

geo::level planning_level_param(const request_context& ctx, geo::level fallback) {
    auto text = ctx.target.get("level");
    if (!text) return fallback;
    auto l = geo::parse_level(*text);
    const bool planning = l && (*l == geo::level::zone || *l == geo::level::district || *l == geo::level::circuit);
    const geo::coverage_model* model = ctx.data->model();
    if (!planning || (model ? !model->where().tier_of(*l) : !ctx.data->find(geo::level_table(*l))))
        throw request_error(400, "InvalidParameterValue",
                            "parameter 'level': '" + geo::utf8::excerpt(*text, 40) +
                                "' is not a planning level of this store (zone, district, circuit)");
    return *l;
}

std::int64_t scenario_param(const request_context& ctx) {
    auto text = ctx.target.get("scenario");
    if (!text || text->empty() || *text == "0" || *text == "base") return 0;
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
    if (ec != std::errc{} || end != text->data() + text->size() || id <= 0 || !ctx.scenarios)
        throw request_error(404, "NotFound", "no scenario '" + geo::utf8::excerpt(*text, 30) + "'");
    return id;
}

http_response json_response(const json& body, std::string content_type) {
    http_response r;
    r.content_type = std::move(content_type);
    r.set_body(body.dump(-1, ' ', false, json::error_handler_t::replace));
    return r;
}

http_response features_service::landing(const request_context& ctx) const {
    const std::string& b = ctx.base_url;
    auto f = ctx.target.get("f");
    bool html = f ? *f == "html" : (ctx.http.accept.find("text/html") != std::string::npos);
    if (html) {
        std::string page =
            "<!DOCTYPE html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>microplan</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}"
            "code{background:#eee;padding:0 .3em}td,th{padding:.2em 1em;text-align:left}</style></head><body>"
            "<h1>microplan: planificación territorial de servicios públicos</h1>"
            "<p>Servidor de zonas, distritos, circuitos y establecimientos del almacén <code>" +
            geo::utf8::html_escape(ctx.data->store_name()) +
            "</code>.</p><h2>Colecciones (OGC API – Features)</h2><table><tr><th>Colección</th><th>Elementos</th>"
            "<th>Datos</th><th>Teselas</th></tr>";
        for (const auto& c : ctx.data->collections()) {
            page += "<tr><td>" + c.title + " (<code>" + c.id + "</code>)</td><td>" + std::to_string(c.features.size()) +
                    "</td><td><a href=\"" + b + "/collections/" + c.id + "/items\">GeoJSON</a></td><td><a href=\"" + b +
                    "/tiles/" + c.id + ".json\">TileJSON</a></td></tr>";
        }
        page +=
            "</table><h2>Conectar QGIS</h2><ul>"
            "<li>Capa → Añadir capa → WFS / OGC API – Features: URL <code>" +
            b +
            "</code></li>"
            "<li>Teselas vectoriales: URL <code>" +
            b + "/tiles/all/{z}/{x}/{y}.mvt</code>, estilo <code>" + b +
            "/styles/microplan.json</code></li></ul><h2>Documentos</h2><ul>"
            "<li><a href=\"" +
            b + "/api\">OpenAPI 3.0</a></li><li><a href=\"" + b +
            "/conformance\">Conformidad</a></li>"
            "<li><a href=\"" +
            b +
            "/collections\">Colecciones (JSON)</a></li>"
            "<li><a href=\"" +
            b +
            "/styles/microplan.json\">Estilo MapLibre</a></li>"
            "<li><a href=\"" +
            b + "/reports/ranking\">Ranking de distritos</a></li></ul></body></html>";
        http_response r;
        r.content_type = "text/html; charset=utf-8";
        r.set_body(std::move(page));
        return r;
    }
    json links = json::array({link(b + "/", "self", "application/json", "This document"),
                              link(b + "/?f=html", "alternate", "text/html", "This document as HTML"),
                              link(b + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0",
                                   "The API definition (OpenAPI 3.0)"),
                              link(b + "/conformance", "conformance", "application/json", "Conformance classes"),
                              link(b + "/collections", "data", "application/json", "The collections"),
                              link(b + "/styles/microplan.json", "stylesheet", "application/json", "MapLibre style")});
    return json_response(
        {{"title", "microplan"},
         {"description", "Zones, districts, circuits and service establishments of a microplan planning store"},
         {"links", links}});
}

http_response features_service::conformance(const request_context&) const {
    json classes = conformance_classes();
    for (const auto& c : feature_edit_conformance()) classes.push_back(c);  // Part 4 (feature_edits_service)
    return json_response({{"conformsTo", classes}});
}

http_response features_service::collections(const request_context& ctx) const {
    json list = json::array();
    for (const auto& c : ctx.data->collections()) list.push_back(collection_json(ctx, c));
    if (ctx.scenarios) list.push_back(collection_json(ctx, proposals_collection(*ctx.scenarios)));
    json crs = json::array();
    for (const auto& s : served_crss()) crs.push_back(s.uri);
    return json_response({{"links", json::array({link(ctx.base_url + "/collections", "self", "application/json")})},
                          {"collections", list},
                          {"crs", crs}});
}

http_response features_service::describe_collection(const request_context& ctx, const std::string& id) const {
    std::optional<collection> owned;
    return json_response(collection_json(ctx, resolve(ctx, id, owned)));
}

http_response features_service::queryables(const request_context& ctx, const std::string& id) const {
    std::optional<collection> owned;
    const collection& c = resolve(ctx, id, owned);
    json props = json::object();
    for (const auto& q : c.queryables) props[q.name] = {{"type", q.type}, {"title", q.title}};
    return json_response({{"$schema", "https://json-schema.org/draft/2019-09/schema"},
                          {"$id", ctx.base_url + "/collections/" + c.id + "/queryables"},
                          {"type", "object"},
                          {"title", c.title},
                          {"properties", props},
                          {"additionalProperties", false}},
                         "application/schema+json");
}

http_response features_service::cached(const request_context& ctx, const std::string& collection,
                                       const std::function<http_response()>& make) const {
    const std::string key = cached_page::key_of(collection, ctx.base_url, ctx.http.target);
    std::shared_ptr<const cached_page> page = pages_.get(key);
    if (!page) {
        const std::uint64_t generation = ctx.data->generation();
        page = std::make_shared<const cached_page>(collection, key, make());
        pages_.put(page, generation);
    }
    return page->answer(ctx.http);
}

// The proposals change without a new snapshot: made on each request, never cached.
http_response features_service::items(const request_context& ctx, const std::string& id) const {
    std::optional<collection> owned;
    const collection& c = resolve(ctx, id, owned);
    if (owned) return make_items(ctx, c);
    return cached(ctx, c.id, [&] { return make_items(ctx, c); });
}

http_response features_service::item(const request_context& ctx, const std::string& id, const std::string& fid) const {
    std::optional<collection> owned;
    const collection& c = resolve(ctx, id, owned);
    if (owned) return make_item(ctx, c, fid);
    return cached(ctx, c.id, [&] { return make_item(ctx, c, fid); });
}

http_response features_service::geojson(const request_context& ctx, const std::string& id) const {
    std::optional<collection> owned;
    const collection& c = resolve(ctx, id, owned);
    if (owned) return make_geojson(ctx, c);
    return cached(ctx, c.id, [&] { return make_geojson(ctx, c); });
}

http_response features_service::make_items(const request_context& ctx, const collection& c) const {
    const auto& t = ctx.target;
    const served_crs& crs = t.has("crs") ? parse_crs("crs", *t.get("crs")) : crs84();
    std::int64_t limit = t.has("limit") ? parse_integer("limit", *t.get("limit"), 1, max_limit) : default_limit;
    std::int64_t offset = t.has("offset") ? parse_integer("offset", *t.get("offset"), 0, 1'000'000'000) : 0;
    selection sel = read_selection(ctx, c);
    coordinate_writer w(crs, read_precision(t, crs));

    std::string features;
    std::int64_t matched = 0, returned = 0;
    for (const auto& f : c.features) {
        if (!sel.matches(f)) continue;
        if (matched >= offset && returned < limit) {
            if (returned) features.push_back(',');
            write_feature(features, f, w, nullptr);
            ++returned;
        }
        ++matched;
    }
    std::string self = ctx.base_url + "/collections/" + c.id + "/items";
    std::string rest = query_without_offset(t);
    auto page = [&](std::int64_t at) {
        return self + "?" + rest + (rest.empty() ? "" : "&") + "offset=" + std::to_string(at);
    };
    json links = json::array({link(self + (t.raw_query.empty() ? "" : "?" + t.raw_query), "self", geojson_type),
                              link(ctx.base_url + "/collections/" + c.id, "collection", "application/json")});
    if (offset + returned < matched) links.push_back(link(page(offset + limit), "next", geojson_type, "Next page"));
    if (offset > 0)
        links.push_back(link(page(std::max<std::int64_t>(0, offset - limit)), "prev", geojson_type, "Previous page"));

    std::string body = "{\"type\":\"FeatureCollection\",\"numberMatched\":" + std::to_string(matched) +
                       ",\"numberReturned\":" + std::to_string(returned) + ",\"timeStamp\":\"" + geo::store::now_utc() +
                       "\",\"links\":" + links.dump() + ",\"features\":[";
    body += features;
    body += "]}";
    return geojson_response(std::move(body), crs);
}

http_response features_service::make_item(const request_context& ctx, const collection& c,
                                          const std::string& fid) const {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(fid.data(), fid.data() + fid.size(), n);
    const feature_record* f = (ec == std::errc{} && end == fid.data() + fid.size()) ? c.find(n) : nullptr;
    if (!f) not_found("collection '" + c.id + "' has no feature '" + geo::utf8::excerpt(fid, 40) + "'");
    const served_crs& crs = ctx.target.has("crs") ? parse_crs("crs", *ctx.target.get("crs")) : crs84();
    coordinate_writer w(crs, read_precision(ctx.target, crs));
    std::string base = ctx.base_url + "/collections/" + c.id;
    std::string links = json::array({link(base + "/items/" + fid, "self", geojson_type),
                                     link(base, "collection", "application/json", c.title)})
                            .dump();
    std::string body;
    write_feature(body, *f, w, &links);
    http_response r = geojson_response(std::move(body), crs);
    if (!f->version.empty()) r.add_header("ETag", "\"" + f->version + "\"");  // what If-Match names
    return r;
}

http_response features_service::make_geojson(const request_context& ctx, const collection& c) const {
    const served_crs& crs = ctx.target.has("crs") ? parse_crs("crs", *ctx.target.get("crs")) : crs84();
    selection sel = read_selection(ctx, c);
    coordinate_writer w(crs, read_precision(ctx.target, crs));
    std::string body = "{\"type\":\"FeatureCollection\",\"name\":\"" + c.id + "\",\"features\":[";
    bool first = true;
    for (const auto& f : c.features) {
        if (!sel.matches(f)) continue;
        if (!first) body.push_back(',');
        first = false;
        write_feature(body, f, w, nullptr);
    }
    body += "]}";
    return geojson_response(std::move(body), crs);
}

namespace {

json crs_schema() {
    json crs_enum = json::array();
    for (const auto& s : served_crss()) crs_enum.push_back(s.uri);
    return {{"type", "string"}, {"format", "uri"}, {"enum", crs_enum}};
}

// The parameters of a selection (bbox, CRS, CQL2 filter, precision) shared by items and geojson.
std::vector<json> selection_parameters() {
    return {{{"name", "bbox"},
             {"in", "query"},
             {"required", false},
             {"style", "form"},
             {"explode", false},
             {"description", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default)"},
             {"schema", {{"type", "array"}, {"minItems", 4}, {"maxItems", 6}, {"items", {{"type", "number"}}}}}},
            query_parameter("bbox-crs", "CRS of bbox", crs_schema()),
            query_parameter("crs", "CRS of the returned coordinates", crs_schema()),
            query_parameter("filter", "CQL2 text filter over the queryables", {{"type", "string"}}),
            query_parameter("filter-lang", "Filter language", {{"type", "string"}, {"enum", {"cql2-text"}}}),
            query_parameter("precision", "Decimals of the coordinates (default 7 for degrees, 2 for metres)",
                            {{"type", "integer"}, {"minimum", 0}, {"maximum", 15}})};
}

// limit first: QGIS and GDAL look for it there.
std::vector<json> items_parameters() {
    std::vector<json> out = {{{"name", "limit"},
                              {"in", "query"},
                              {"required", false},
                              {"style", "form"},
                              {"explode", false},
                              {"description", "The number of features to return per page"},
                              {"schema",
                               {{"type", "integer"},
                                {"minimum", 1},
                                {"maximum", features_service::max_limit},
                                {"default", features_service::default_limit}}}},
                             query_parameter("offset", "Index of the first feature of the page",
                                             {{"type", "integer"}, {"minimum", 0}, {"default", 0}})};
    for (auto& p : selection_parameters()) out.push_back(std::move(p));
    return out;
}

json collection_id_parameter() {
    return path_parameter("collectionId", "A collection: zones, districts, circuits, establishments, ...",
                          {{"type", "string"}});
}

// The collection's own title and tag on its concrete paths; `queryables`: its queryables as
// equality filters after the common parameters.
std::function<void(json&, const collection&)> for_collection(std::string what, bool queryables = false) {
    return [what = std::move(what), queryables](json& op, const collection& c) {
        op["summary"] = what.empty() ? c.title : c.title + ": " + what;
        op["tags"] = json::array({c.id});
        if (!queryables) return;
        for (const auto& q : c.queryables)
            op["parameters"].push_back(
                query_parameter(q.name, q.title + " (equal to)", {{"type", q.type == "string" ? "string" : "number"}}));
    };
}

const char* const features_tag = "OGC API - Features";

// Standard parameters of OGC API - Features that clients (GDAL's OAPIF driver, QGIS, OWSLib)
// may send and that change nothing here: the format is always JSON (f), features have no time
// (datetime), every property and the geometry are always returned (properties, skipGeometry),
// the order is the feature id's (sortby) and CQL2 filters have no geometries (filter-crs).
const std::vector<std::string> ignored_items_parameters = {"f",      "datetime",  "properties", "skipGeometry",
                                                           "sortby", "filter-crs"};

// The queryables of the collection in the path (optionally "<id>.geojson"), as parameters.
std::optional<std::vector<std::string>> queryable_names(const request_context& ctx, const path_params& p) {
    std::string id = p["collectionId"];
    const collection* c = ctx.data->find(id);
    if (!c && id.ends_with(".geojson")) c = ctx.data->find(id.substr(0, id.size() - 8));
    const std::vector<queryable>* queryables = c ? &c->queryables : nullptr;
    if (!c && id == "proposals" && ctx.scenarios) queryables = &proposals_queryables();
    if (!queryables) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& q : *queryables) out.push_back(q.name);
    return out;
}

}  // namespace

void features_service::register_routes(route_table& table) const {
    const api_response not_found = error_response_doc(404, "No such collection or feature");
    const api_response bad_request = error_response_doc(400, "A parameter is malformed or not served");
    table.add({.pattern = "/conformance",
               .quick = true,
               .handler = [this](const request_context& ctx, const path_params&) { return conformance(ctx); },
               .api = {.operation_id = "getConformance",
                       .summary = "Conformance classes",
                       .tags = {features_tag},
                       .responses = {ok_response("Conformance")}},
               .ignored_query = {"f"}});
    table.add({.pattern = "/collections",
               .handler = [this](const request_context& ctx, const path_params&) { return collections(ctx); },
               .api = {.operation_id = "getCollections",
                       .summary = "Collections",
                       .tags = {features_tag},
                       .responses = {ok_response("Collections")}},
               .ignored_query = {"f"}});
    table.add({.pattern = "/collections/{collectionId}",
               .quick = true,
               .handler = [this](const request_context& ctx,
                                 const path_params& p) { return describe_collection(ctx, p["collectionId"]); },
               .api = {.operation_id = "describeCollection",
                       .summary = "A collection",
                       .tags = {features_tag},
                       .parameters = {collection_id_parameter()},
                       .responses = {ok_response("The collection"), not_found},
                       .per_collection = for_collection("")},
               .ignored_query = {"f"}});
    std::vector<json> items_params = items_parameters();
    items_params.push_back(collection_id_parameter());
    table.add(
        {.pattern = "/collections/{collectionId}/items",
         .quick = true,
         .handler = [this](const request_context& ctx, const path_params& p) { return items(ctx, p["collectionId"]); },
         .api = {.operation_id = "getFeatures",
                 .summary = "Features of a collection, a page at a time",
                 .description = "Any queryable of the collection also filters by equality (name=value).",
                 .tags = {features_tag},
                 .parameters = std::move(items_params),
                 .responses = {ok_response("Features (GeoJSON)", geojson_type), bad_request, not_found},
                 .per_collection = for_collection("features", true)},
         .ignored_query = ignored_items_parameters,
         .data_query = queryable_names});
    table.add({.pattern = "/collections/{collectionId}/items/{featureId}",
               .quick = true,
               .handler = [this](const request_context& ctx,
                                 const path_params& p) { return item(ctx, p["collectionId"], p["featureId"]); },
               .api = {.operation_id = "getFeature",
                       .summary = "One feature",
                       .tags = {features_tag},
                       .parameters = {collection_id_parameter(),
                                      path_parameter("featureId", "The feature's id", {{"type", "integer"}}),
                                      query_parameter("crs", "CRS of the returned coordinates", crs_schema()),
                                      query_parameter("precision", "Decimals of the coordinates",
                                                      {{"type", "integer"}, {"minimum", 0}, {"maximum", 15}})},
                       .responses = {ok_response("The feature (GeoJSON)", geojson_type), bad_request, not_found},
                       .per_collection = for_collection("one feature")},
               .ignored_query = {"f"}});
    table.add({.pattern = "/collections/{collectionId}/queryables",
               .quick = true,
               .handler = [this](const request_context& ctx,
                                 const path_params& p) { return queryables(ctx, p["collectionId"]); },
               .api = {.operation_id = "getQueryables",
                       .summary = "The properties a collection's features can be filtered by",
                       .tags = {features_tag},
                       .parameters = {collection_id_parameter()},
                       .responses = {ok_response("JSON Schema", "application/schema+json"), not_found},
                       .per_collection = for_collection("queryables")},
               .ignored_query = {"f"}});
    std::vector<json> geojson_params = selection_parameters();
    geojson_params.push_back(
        path_parameter("collectionId", "A collection id, optionally followed by .geojson", {{"type", "string"}}));
    table.add({.pattern = "/geojson/{collectionId}",
               .handler =
                   [this](const request_context& ctx, const path_params& p) {
                       std::string id = p["collectionId"];
                       if (id.size() > 8 && id.substr(id.size() - 8) == ".geojson") id.resize(id.size() - 8);
                       return geojson(ctx, id);
                   },
               .api = {.operation_id = "getGeoJSON",
                       .summary = "A whole collection as one GeoJSON FeatureCollection",
                       .description = "For viewers that take GeoJSON sources; bbox, crs and the filters apply.",
                       .tags = {"GeoJSON"},
                       .parameters = std::move(geojson_params),
                       .responses = {ok_response("Features (GeoJSON)", geojson_type), bad_request, not_found}},
               .data_query = queryable_names});
}

}  // namespace microplan::service
