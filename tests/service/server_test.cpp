// End to end on loopback: the demo store served by microplan's server, read by GDAL's
// OAPIF and MVT drivers and by a plain HTTP client; bad requests; caching; store changes;
// graceful shutdown.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/service/http_server.hpp"
#include "microplan/service/request_handler.hpp"
#include "service/http_client.hpp"
#include "service/in_process_demo.hpp"
#include "service/running_server.hpp"
#include "support.hpp"
#include "tiles/open_tile.hpp"

namespace microplan::service {
namespace {

using nlohmann::json;
using test::http_get;

using test::running_server;

class ServeDemo : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        GDALAllRegister();
        dir_ = std::filesystem::temp_directory_path() / ("microplan-serve-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        store_ = (dir_ / "demo.sqlite").string();
        auto r = test::demo_store_at(store_);
        ASSERT_EQ(r.exit_code, 0) << r.output;
        server_ = new running_server(store_);
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
        std::filesystem::remove_all(dir_);
    }
    static std::uint16_t port() { return server_->port(); }
    static std::string url() { return "http://127.0.0.1:" + std::to_string(port()); }
    static const snapshot& data() { return *server_->state.current(); }

    static GDALDatasetUniquePtr open_tile(const std::string& bytes, const tiles::tile_id& t, const std::string& tag) {
        return test::open_mvt(bytes, t, tag);
    }

    static inline std::filesystem::path dir_;
    static inline std::string store_;
    static inline running_server* server_ = nullptr;
};

// The GEOS MultiPolygon of a feature's lon/lat polygons, in Web Mercator.
geo::geos::geom_ptr mercator_geometry(const feature_record& f) {
    std::string wkt = "MULTIPOLYGON(";
    for (std::size_t p = 0; p < f.lonlat.size(); ++p) {
        wkt += p ? ",(" : "(";
        for (std::size_t r = 0; r < f.lonlat[p].rings.size(); ++r) {
            wkt += r ? ",(" : "(";
            const auto& ring = f.lonlat[p].rings[r];
            for (std::size_t i = 0; i <= ring.size(); ++i) {
                tiles::point m = tiles::lonlat_to_mercator(ring[i % ring.size()].x, ring[i % ring.size()].y);
                wkt += (i ? "," : "") + std::to_string(m.x) + " " + std::to_string(m.y);
            }
            wkt += ")";
        }
        wkt += ")";
    }
    return geo::geos::from_wkt(wkt + ")");
}

geo::geos::geom_ptr box_geometry(const tiles::box& b) {
    return geo::geos::from_wkt("POLYGON((" + std::to_string(b.minx) + " " + std::to_string(b.miny) + "," +
                               std::to_string(b.maxx) + " " + std::to_string(b.miny) + "," + std::to_string(b.maxx) +
                               " " + std::to_string(b.maxy) + "," + std::to_string(b.minx) + " " +
                               std::to_string(b.maxy) + "," + std::to_string(b.minx) + " " + std::to_string(b.miny) +
                               "))");
}

TEST_F(ServeDemo, GdalOapifListsTheCollectionsAndPagesThroughEveryCircuit) {
    auto info = test::run("ogrinfo -ro -so OAPIF:" + url());
    ASSERT_EQ(info.exit_code, 0) << info.output;
    for (const char* id : {"zones", "districts", "circuits", "establishments"})
        EXPECT_NE(info.output.find(std::string(": ") + id + " "), std::string::npos) << info.output;
    // 100 features per page: 12 pages for the 1,134 circuits, with their attributes.
    auto csv = test::run("ogr2ogr -f CSV /vsistdout/ OAPIF:" + url() +
                         " circuits -oo PAGE_SIZE=100 -select code,name,population");
    ASSERT_EQ(csv.exit_code, 0) << csv.output.substr(0, 500);
    std::set<std::string> codes;
    std::size_t lines = 0;
    std::istringstream in(csv.output);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "code,name,population");
    while (std::getline(in, line)) {
        ++lines;
        codes.insert(line.substr(0, line.find(',')));
        EXPECT_GT(line.size(), 12u) << line;
    }
    EXPECT_EQ(lines, 1134u);
    std::set<std::string> expected;
    for (const auto& f : data().find("circuits")->features) expected.insert(f.properties["code"].get<std::string>());
    EXPECT_EQ(codes, expected);
}

TEST_F(ServeDemo, GdalMvtDecodesTilesThatMatchTheStore) {
    const collection& circuits = *data().find("circuits");
    tiles::box ext = circuits.extent;
    for (std::uint32_t z : {5u, 8u, 11u}) {
        tiles::tile_id t = tiles::tile_for_lonlat((ext.minx + ext.maxx) / 2, (ext.miny + ext.maxy) / 2, z);
        auto reply = http_get(port(), "/tiles/circuits/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
                                          std::to_string(t.y) + ".mvt");
        ASSERT_EQ(reply.status, 200u);
        EXPECT_EQ(reply.headers["Content-Type"], "application/vnd.mapbox-vector-tile");
        auto ds = open_tile(reply.body, t, "match" + std::to_string(z));
        ASSERT_TRUE(ds) << "zoom " << z;
        OGRLayer* layer = ds->GetLayerByName("circuits");
        ASSERT_NE(layer, nullptr);
        tiles::mercator_bounds mb = tiles::bounds(t);
        tiles::box exact{mb.minx, mb.miny, mb.maxx, mb.maxy};
        const double unit = (mb.maxx - mb.minx) / 4096;
        auto tile_geom = box_geometry(exact);
        GEOSContextHandle_t ctx = geo::geos::thread_context().handle();

        std::set<std::int64_t> seen;
        for (auto& f : *layer) {
            const std::int64_t id = f->GetFieldAsInteger64("mvt_id");  // GDAL's name for the MVT id
            const feature_record* source = circuits.find(id);
            ASSERT_NE(source, nullptr) << "unknown id " << id;
            seen.insert(id);
            EXPECT_EQ(f->GetFieldAsString("code"), source->properties["code"].get<std::string>());
            EXPECT_EQ(f->GetFieldAsString("name"), source->properties["name"].get<std::string>());
            // Within one tile unit: the two shapes, cut to the tile, differ by no more than a
            // band one unit wide along the source's outline.
            char* wkt = nullptr;
            f->GetGeometryRef()->exportToWkt(&wkt);
            auto decoded = geo::geos::own(GEOSMakeValid_r(ctx, geo::geos::from_wkt(wkt).get()));
            CPLFree(wkt);
            auto src = geo::geos::intersection(mercator_geometry(*source).get(), tile_geom.get());
            auto got = geo::geos::intersection(decoded.get(), tile_geom.get());
            auto sym = geo::geos::own(GEOSSymDifference_r(ctx, src.get(), got.get()));
            auto outline = geo::geos::own(GEOSBoundary_r(ctx, src.get()));
            double allowed = geo::geos::length(outline.get()) * unit * 1.0 + 4 * unit * unit;
            EXPECT_LE(geo::geos::area(sym.get()), allowed) << "circuit " << source->properties["code"] << " zoom " << z;
        }
        // Every circuit that covers a visible part of the tile is in it.
        for (const auto& f : circuits.features) {
            if (!f.bbox.intersects(tiles::box{tiles::mercator_to_lonlat({exact.minx, exact.miny}).x,
                                              tiles::mercator_to_lonlat({exact.minx, exact.miny}).y,
                                              tiles::mercator_to_lonlat({exact.maxx, exact.maxy}).x,
                                              tiles::mercator_to_lonlat({exact.maxx, exact.maxy}).y}))
                continue;
            auto part = geo::geos::intersection(mercator_geometry(f).get(), tile_geom.get());
            if (geo::geos::area(part.get()) > 16 * unit * unit) {
                EXPECT_TRUE(seen.count(f.fid)) << "circuit " << f.properties["code"] << " missing at zoom " << z;
            }
        }
        EXPECT_GT(seen.size(), 0u);
    }
}

TEST_F(ServeDemo, NeighbouringCircuitsShareIdenticalBordersInTiles) {
    const collection& zones = *data().find("zones");
    std::vector<geo::geos::geom_ptr> parts;
    std::vector<const GEOSGeometry*> raw;
    for (const auto& f : zones.features) {
        parts.push_back(mercator_geometry(f));
        raw.push_back(parts.back().get());
    }
    auto country = geo::geos::unary_union(raw);
    tiles::box ext = data().find("circuits")->extent;
    int checked = 0;
    for (std::uint32_t z : {8u, 10u, 12u}) {
        // A tile (with its buffer) wholly inside the country, near its middle.
        tiles::tile_id centre = tiles::tile_for_lonlat((ext.minx + ext.maxx) / 2, (ext.miny + ext.maxy) / 2, z);
        std::optional<tiles::tile_id> inside;
        for (int d = 0; d < 6 && !inside; ++d)
            for (int dx = -d; dx <= d && !inside; ++dx)
                for (int dy = -d; dy <= d && !inside; ++dy) {
                    tiles::tile_id t{z, centre.x + dx, centre.y + dy};
                    if (geo::geos::covers(country.get(), box_geometry(tiles::tile_box(t, 64)).get())) inside = t;
                }
        ASSERT_TRUE(inside) << "zoom " << z;
        const auto& t = *inside;
        auto reply = http_get(port(), "/tiles/circuits/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
                                          std::to_string(t.y) + ".mvt");
        ASSERT_EQ(reply.status, 200u);
        auto ds = open_tile(reply.body, t, "borders" + std::to_string(z));
        ASSERT_TRUE(ds);
        tiles::mercator_bounds mb = tiles::bounds(t);
        const double unit = (mb.maxx - mb.minx) / 4096;
        auto to_units = [&](double x, double y) {
            return std::pair<long, long>{std::lround((x - mb.minx) / unit), std::lround((mb.maxy - y) / unit)};
        };
        using edge = std::pair<std::pair<long, long>, std::pair<long, long>>;
        std::map<edge, std::int64_t> owner;
        std::vector<std::pair<edge, std::int64_t>> all;
        double area = 0;
        auto tile_geom = box_geometry({mb.minx, mb.miny, mb.maxx, mb.maxy});
        for (auto& f : *ds->GetLayerByName("circuits")) {
            OGRGeometry* g = f->GetGeometryRef();
            std::vector<const OGRPolygon*> polys;
            if (wkbFlatten(g->getGeometryType()) == wkbPolygon) {
                polys.push_back(g->toPolygon());
            } else {
                for (const auto* p : *g->toMultiPolygon()) polys.push_back(p);
            }
            for (const OGRPolygon* p : polys)
                for (const OGRLinearRing* r : *p)
                    for (int i = 0; i + 1 < r->getNumPoints(); ++i) {
                        edge e{to_units(r->getX(i), r->getY(i)), to_units(r->getX(i + 1), r->getY(i + 1))};
                        owner[e] = f->GetFieldAsInteger64("mvt_id");
                        all.emplace_back(e, f->GetFieldAsInteger64("mvt_id"));
                    }
            char* wkt = nullptr;
            g->exportToWkt(&wkt);
            auto clipped = geo::geos::intersection(geo::geos::from_wkt(wkt).get(), tile_geom.get());
            CPLFree(wkt);
            area += geo::geos::area(clipped.get());
        }
        auto on_clip_border = [](const std::pair<long, long>& a, const std::pair<long, long>& b) {
            for (long edge_at : {-64L, 4160L})
                if ((a.first == edge_at && b.first == edge_at) || (a.second == edge_at && b.second == edge_at))
                    return true;
            return false;
        };
        for (const auto& [e, fid] : all) {
            if (on_clip_border(e.first, e.second)) continue;
            auto other = owner.find({e.second, e.first});
            ASSERT_NE(other, owner.end()) << "zoom " << z << ": an edge of circuit " << fid << " has no neighbour";
            EXPECT_NE(other->second, fid);
            ++checked;
        }
        // No gap and no overlap: the circuits cut to the tile add up to the tile.
        double tile_area = (mb.maxx - mb.minx) * (mb.maxy - mb.miny);
        EXPECT_NEAR(area, tile_area, tile_area * 1e-6) << "zoom " << z;
    }
    EXPECT_GT(checked, 100);
}

TEST_F(ServeDemo, ItemsPageWithLinksCrsBboxAndFilters) {
    auto r = http_get(port(), "/collections/circuits/items?limit=10");
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.headers["Content-Type"], "application/geo+json");
    EXPECT_EQ(r.headers["Content-Crs"], "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    json page = json::parse(r.body);
    EXPECT_EQ(page["numberMatched"], 1134);
    EXPECT_EQ(page["numberReturned"], 10);
    ASSERT_EQ(page["features"].size(), 10u);
    EXPECT_TRUE(page["features"][0]["id"].is_number_integer());
    bool next = false;
    for (const auto& l : page["links"])
        if (l["rel"] == "next") {
            next = true;
            EXPECT_EQ(l["type"], "application/geo+json");
            EXPECT_NE(l["href"].get<std::string>().find("offset=10"), std::string::npos);
        }
    EXPECT_TRUE(next);
    double lon = page["features"][0]["geometry"]["coordinates"][0][0][0][0];
    double lat = page["features"][0]["geometry"]["coordinates"][0][0][0][1];
    EXPECT_LT(lon, -75);
    EXPECT_GT(lat, -6);

    json swapped = json::parse(
        http_get(port(), "/collections/circuits/items?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/4326").body);
    EXPECT_DOUBLE_EQ(swapped["features"][0]["geometry"]["coordinates"][0][0][0][0].get<double>(), lat);
    auto utm = http_get(port(), "/collections/circuits/items?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/32717");
    EXPECT_EQ(utm.headers["Content-Crs"], "<http://www.opengis.net/def/crs/EPSG/0/32717>");
    double easting = json::parse(utm.body)["features"][0]["geometry"]["coordinates"][0][0][0][0];
    EXPECT_GT(easting, 100000);
    EXPECT_LT(easting, 1100000);

    const auto& first = data().find("circuits")->features.front();
    std::string code = first.properties["code"];
    json one = json::parse(http_get(port(), "/collections/circuits/items?code=" + code).body);
    EXPECT_EQ(one["numberMatched"], 1);
    json filtered =
        json::parse(http_get(port(), "/collections/circuits/items?filter=" +
                                         percent_encode("parent = '" + first.properties["parent"].get<std::string>() +
                                                        "' AND population > 0"))
                        .body);
    EXPECT_GT(filtered["numberMatched"].get<int>(), 1);
    EXPECT_LT(filtered["numberMatched"].get<int>(), 50);
    for (const auto& f : filtered["features"]) EXPECT_EQ(f["properties"]["parent"], first.properties["parent"]);
    // A bbox around the first circuit's first vertex: few circuits, the first among them.
    const auto& v = first.lonlat[0].rings[0][0];
    std::string bbox = std::to_string(v.x - 0.01) + "," + std::to_string(v.y - 0.01) + "," +
                       std::to_string(v.x + 0.01) + "," + std::to_string(v.y + 0.01);
    json near = json::parse(http_get(port(), "/collections/circuits/items?bbox=" + bbox).body);
    EXPECT_GE(near["numberMatched"].get<int>(), 1);
    EXPECT_LE(near["numberMatched"].get<int>(), 8);
    json item = json::parse(http_get(port(), "/collections/circuits/items/" + std::to_string(first.fid)).body);
    EXPECT_EQ(item["id"], first.fid);
    EXPECT_EQ(item["properties"]["code"], code);
    json q = json::parse(http_get(port(), "/collections/circuits/queryables").body);
    EXPECT_TRUE(q["properties"].contains("population"));
}

TEST_F(ServeDemo, LandingConformanceApiTilejsonAndStyle) {
    json landing = json::parse(http_get(port(), "/").body);
    std::set<std::string> rels;
    for (const auto& l : landing["links"]) rels.insert(l["rel"]);
    for (const char* rel : {"service-desc", "data", "conformance", "self"}) EXPECT_TRUE(rels.count(rel)) << rel;
    EXPECT_NE(http_get(port(), "/?f=html").body.find("Conectar QGIS"), std::string::npos);
    json api = json::parse(http_get(port(), "/api").body);
    EXPECT_EQ(api["openapi"], "3.0.3");
    auto limit = api["paths"]["/collections/circuits/items"]["get"]["parameters"][0];
    EXPECT_EQ(limit["name"], "limit");
    EXPECT_EQ(limit["schema"]["maximum"], 10000);
    EXPECT_EQ(limit["schema"]["default"], 100);
    json tj = json::parse(http_get(port(), "/tiles/all.json").body);
    EXPECT_EQ(tj["tilejson"], "3.0.0");
    // Three levels, the establishments and a labels layer per level.
    EXPECT_EQ(tj["vector_layers"].size(), 7u);
    EXPECT_EQ(tj["vector_layers"][6]["id"], "circuits_labels");
    ASSERT_FALSE(tj["views"].empty());
    EXPECT_EQ(tj["views"][0]["id"], "main");
    EXPECT_EQ(tj["tiles"][0], url() + "/tiles/all/{z}/{x}/{y}.mvt");
    json style = json::parse(http_get(port(), "/styles/microplan.json").body);
    EXPECT_EQ(style["version"], 8);
    EXPECT_EQ(style["sources"]["microplan"]["url"], url() + "/tiles/all.json");
}

TEST_F(ServeDemo, ServedStylePassesTheMapLibreStyleValidator) {
    std::string validator = std::string(MICROPLAN_DATA_DIR) + "/../web/node_modules/.bin/gl-style-validate";
    if (!std::filesystem::exists(validator))
        GTEST_SKIP() << "gl-style-validate not installed (make test runs 'npm ci' in web/); skipping";
    test::scratch dir;
    std::string style = dir.write("style.json", http_get(port(), "/styles/microplan.json").body);
    auto r = test::run(validator + " " + style);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // The validator does fail on a broken style.
    auto bad = test::run(
        validator + " " +
        dir.write("bad.json", R"({"version":8,"sources":{},"layers":[{"id":"x","type":"fill","source":"nope"}]})"));
    EXPECT_NE(bad.exit_code, 0);
    // The whole zones layer as GeoJSON, for viewers that take GeoJSON sources.
    json zones = json::parse(http_get(port(), "/geojson/zones.geojson").body);
    EXPECT_EQ(zones["features"].size(), 9u);
}

TEST_F(ServeDemo, BadRequestsGetJsonErrorsWithTheRightStatus) {
    const std::pair<const char*, unsigned> cases[] = {
        {"/tiles/circuits/40/0/0.mvt", 400},
        {"/tiles/circuits/3/8/0.mvt", 400},
        {"/tiles/circuits/-1/0/0.mvt", 400},
        {"/tiles/circuits/a/b/c.mvt", 400},
        {"/tiles/circuits/99999999999999999999/0/0.mvt", 400},
        {"/tiles/circuits/0/0/0.png", 404},
        {"/tiles/nope/0/0/0.mvt", 404},
        {"/tiles/nope.json", 404},
        {"/collections/nope/items", 404},
        {"/collections/circuits/items/abc", 404},
        {"/collections/circuits/items/999999999", 404},
        {"/collections/circuits/items?bbox=1,2", 400},
        {"/collections/circuits/items?bbox=-79,-1,-80,-2", 400},
        {"/collections/circuits/items?bbox=-200,0,0,1", 400},
        {"/collections/circuits/items?limit=0", 400},
        {"/collections/circuits/items?limit=1e9", 400},
        {"/collections/circuits/items?offset=-3", 400},
        {"/collections/circuits/items?crs=EPSG:2154", 400},
        {"/collections/circuits/items?filter=secret%3D1", 400},
        {"/collections/circuits/items?filter=code%3D", 400},
        {"/collections/circuits/items?filter-lang=cql2-json&filter=x", 400},
        {"/../../etc/passwd", 400},
        {"/%2e%2e/%2e%2e/etc/passwd", 400},
        {"/tiles/%2F/0/0/0.mvt", 400},
        {"/collections/circuits/items?code=%zz", 400},
        {"/reports/district/NOPE", 404},
        {"/reports/coverage?level=planet", 400},
        {"/nothing/here", 404},
    };
    for (const auto& [target, status] : cases) {
        auto r = http_get(port(), target);
        EXPECT_EQ(r.status, status) << target << ": " << r.body;
        json body = json::parse(r.body, nullptr, false);
        ASSERT_FALSE(body.is_discarded()) << target << ": " << r.body;
        EXPECT_TRUE(body.contains("code") && body.contains("message")) << target << ": " << r.body;
    }
    auto post = test::http_request_to(port(), "POST", "/collections", {}, "{}");
    EXPECT_EQ(post.status, 405u);
    EXPECT_EQ(post.headers["Allow"], "GET, HEAD");
    std::string big(2 * 1024 * 1024, 'x');
    std::string reply = test::raw_exchange(port(), "POST /collections HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                                       std::to_string(big.size()) + "\r\n\r\n" + big);
    EXPECT_NE(reply.find("413"), std::string::npos) << reply.substr(0, 200);
    reply = test::raw_exchange(port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
    EXPECT_NE(reply.find("431"), std::string::npos) << reply.substr(0, 200);
    reply = test::raw_exchange(port(), "GARBAGE\r\n\r\n");
    EXPECT_NE(reply.find("400"), std::string::npos) << reply.substr(0, 200);
    // The server is still up.
    EXPECT_EQ(http_get(port(), "/health").status, 200u);
}

TEST_F(ServeDemo, EtagsGiveNotModifiedAndGzipIsOffered) {
    auto t = http_get(port(), "/tiles/all/5/8/15.mvt");
    ASSERT_EQ(t.status, 200u);
    ASSERT_FALSE(t.headers["ETag"].empty());
    auto again = http_get(port(), "/tiles/all/5/8/15.mvt", {{"If-None-Match", t.headers["ETag"]}});
    EXPECT_EQ(again.status, 304u);
    EXPECT_TRUE(again.body.empty());
    auto gz = http_get(port(), "/tiles/all/5/8/15.mvt", {{"Accept-Encoding", "gzip, deflate"}});
    EXPECT_EQ(gz.headers["Content-Encoding"], "gzip");
    EXPECT_LT(gz.body.size(), t.body.size());
    // gunzip through GDAL's /vsigzip/.
    VSILFILE* f =
        VSIFileFromMemBuffer("/vsimem/t.mvt.gz", reinterpret_cast<GByte*>(gz.body.data()), gz.body.size(), FALSE);
    VSIFCloseL(f);
    VSILFILE* in = VSIFOpenL("/vsigzip//vsimem/t.mvt.gz", "rb");
    ASSERT_NE(in, nullptr);
    std::string plain(t.body.size() + 10, '\0');
    plain.resize(VSIFReadL(plain.data(), 1, plain.size(), in));
    VSIFCloseL(in);
    VSIUnlink("/vsimem/t.mvt.gz");
    EXPECT_EQ(plain, t.body);
    auto items = http_get(port(), "/collections/circuits/items?limit=50", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(items.headers["Content-Encoding"], "gzip");
    auto json304 =
        http_get(port(), "/collections", {{"If-None-Match", http_get(port(), "/collections").headers["ETag"]}});
    EXPECT_EQ(json304.status, 304u);
}

TEST_F(ServeDemo, DistrictReportCoverageAndRanking) {
    std::string district = data().find("districts")->features.front().properties["code"];
    auto r = http_get(port(), "/reports/district/" + district);
    ASSERT_EQ(r.status, 200u) << r.body;
    json report = json::parse(r.body);
    EXPECT_NE(r.body.find(district), std::string::npos);
    EXPECT_FALSE(report.empty());
    auto csv = http_get(port(), "/reports/district/" + district + "?f=csv");
    EXPECT_EQ(csv.headers["Content-Type"], "text/csv; charset=utf-8");
    EXPECT_NE(csv.body.find(district), std::string::npos);
    auto cov = http_get(port(), "/reports/coverage?level=circuit&sector=health&f=csv");
    ASSERT_EQ(cov.status, 200u) << cov.body;
    EXPECT_GT(std::count(cov.body.begin(), cov.body.end(), '\n'), 1000);
    auto rank = json::parse(http_get(port(), "/reports/ranking?level=zone").body);
    EXPECT_FALSE(rank.empty());
    // Indicators are served with the units.
    json c = json::parse(http_get(port(), "/collections/districts/items?limit=1").body);
    EXPECT_TRUE(c["features"][0]["properties"].contains("health_coverage_pct"));
}

TEST_F(ServeDemo, PlanServesBudgetScenariosSharesOfGdpAndTheRequiredBudget) {
    auto r = http_get(port(), "/plan");
    ASSERT_EQ(r.status, 200u) << r.body;
    json plan = json::parse(r.body);
    EXPECT_EQ(plan["scenario"], "moderate");
    ASSERT_EQ(plan["budget_scenarios"].size(), 3u);  // data/budget_scenarios/ecuador.csv, put in force by the demo
    for (const auto& y : plan["years"]) EXPECT_DOUBLE_EQ(y["budget_pct_gdp"].get<double>(), 2.0) << y;
    json pessimistic = json::parse(http_get(port(), "/plan?budget_scenario=pesimista&until=2030").body);
    EXPECT_EQ(pessimistic["scenario"], "pessimistic");  // the Spanish label names it too
    EXPECT_EQ(pessimistic["last_year"], 2030);
    EXPECT_DOUBLE_EQ(pessimistic["years"][0]["budget_pct_gdp"].get<double>(), 1.5);
    // How much closes every gap by 2030: each sector's share of GDP and a path that closes it then.
    auto q = http_get(port(), "/plan?close_by=2030&until=2032");
    ASSERT_EQ(q.status, 200u) << q.body;
    json required = json::parse(q.body)["required"];
    ASSERT_EQ(required["sectors"].size(), 7u);  // four establishment sectors, three networks
    for (const auto& s : required["sectors"]) {
        EXPECT_GT(s["share_pct_gdp"].get<double>(), 0) << s["sector"];
        EXPECT_EQ(s["closing_year"], 2030) << s["sector"];
        EXPECT_GE(s["dynamic_cost"]["investment"].get<double>(), s["static_cost"]["investment"].get<double>());
    }
    auto path = http_get(port(), "/plan?close_by=2030&until=2032&f=csv");
    EXPECT_EQ(path.headers["Content-Type"], "text/csv; charset=utf-8");
    EXPECT_EQ(path.body.rfind("year,sector,budget\n", 0), 0u) << path.body.substr(0, 100);
    EXPECT_EQ(std::count(path.body.begin(), path.body.end(), '\n'), 1 + 7 * 8);  // 7 sectors, 2025-2032
    EXPECT_EQ(http_get(port(), "/plan?budget_scenario=utopia").status, 400u);
    EXPECT_EQ(http_get(port(), "/plan?close_by=2040&until=2035").status, 400u);
    EXPECT_EQ(http_get(port(), "/plan?until=1990").status, 400u);
}

TEST_F(ServeDemo, RankingByAnyIndicatorAndWhereTheStateIsAbsent) {
    auto r = http_get(port(), "/reports/ranking?level=district&by=coverage_pct&weight=poverty");
    ASSERT_EQ(r.status, 200u) << r.body;
    json rows = json::parse(r.body);
    ASSERT_EQ(rows.size(), 140u);
    for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_GE(rows[i - 1]["score"], rows[i]["score"]);
    EXPECT_EQ(rows[0]["by"], "coverage_pct");
    json late = json::parse(
        http_get(port(), "/reports/ranking?level=district&sector=health&by=closing_year&budget_scenario=pessimistic")
            .body);
    EXPECT_TRUE(late[0].contains("closing_year"));
    EXPECT_EQ(http_get(port(), "/reports/ranking?by=happiness").status, 400u);
    EXPECT_EQ(http_get(port(), "/reports/ranking?weight=wealth").status, 400u);
    EXPECT_EQ(http_get(port(), "/reports/ranking?by=unfunded&budget_scenario=utopia").status, 400u);
    auto a = http_get(port(), "/reports/absent?level=circuit&sector=health");
    ASSERT_EQ(a.status, 200u) << a.body;
    json absent = json::parse(a.body);
    EXPECT_EQ(absent["units"], 1134);
    EXPECT_EQ(absent["units_absent"], absent["absent"].size());
    // The circuits listed have no health establishment in the store's items.
    ASSERT_GT(absent["absent"].size(), 0u);
    std::string code = absent["absent"][0]["code"];
    json items = json::parse(http_get(port(), "/collections/establishments/items?limit=1000&filter=circuit_code%3D%27" +
                                                  code + "%27%20AND%20sector%3D%27health%27")
                                 .body);
    EXPECT_EQ(items["numberReturned"], 0) << code;
}

TEST(ServeStoreChanges, ATileMeetingAChangedCircuitIsRenderedAgainOthersStayCached) {
    test::in_process_demo demo;
    auto etag = [&](const http_response& r) { return demo.header(r, "ETag"); };
    const auto& circuits = demo.state.current()->find("circuits")->features;
    const feature_record& changed = circuits.front();
    const feature_record& far = circuits.back();
    auto tile_of = [](const feature_record& f) {
        auto t = tiles::tile_for_lonlat((f.bbox.minx + f.bbox.maxx) / 2, (f.bbox.miny + f.bbox.maxy) / 2, 12);
        return "/tiles/circuits/12/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".mvt";
    };
    std::string near_tile = tile_of(changed), far_tile = tile_of(far);
    ASSERT_NE(near_tile, far_tile);
    std::string near_before = etag(demo.get(near_tile)), far_before = etag(demo.get(far_tile));
    EXPECT_FALSE(demo.watcher.check());  // nothing changed yet
    demo.rename_circuit(changed.fid, "Circuito renombrado");
    ASSERT_TRUE(demo.watcher.check());
    auto hits = demo.state.cache().statistics().hits;
    auto near_after = demo.get(near_tile);
    EXPECT_NE(etag(near_after), near_before);
    EXPECT_NE(near_after.body->find("Circuito renombrado"), std::string::npos);
    EXPECT_EQ(etag(demo.get(far_tile)), far_before);
    EXPECT_EQ(demo.state.cache().statistics().hits, hits + 1);  // the far tile came from the cache
}

TEST(ServeShutdown, StopEndsRunWithAKeepAliveConnectionOpen) {
    test::scratch dir;
    std::string store = dir.path("demo.sqlite");
    ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
    auto server = std::make_unique<running_server>(store);
    namespace beast = boost::beast;
    boost::asio::io_context ioc;
    beast::tcp_stream idle(ioc);
    idle.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server->port()));
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, "/health", 11};
    req.set(beast::http::field::host, "x");
    beast::http::write(idle, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(idle, buffer, res);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(res.keep_alive());
    auto started = std::chrono::steady_clock::now();
    server.reset();  // stop() + join
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

}  // namespace
}  // namespace microplan::service
