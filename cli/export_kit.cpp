// `microplan export kit`: the offline workshop kit (geo/usecases/kit.hpp). The server's own
// request handler answers in this process, so the kit holds the bytes `microplan serve` sends:
// the tiles of /tiles/all and the JSON the viewer asks for (catalogue, indicators of the
// baseline per level, sector and travel time, every unit's report).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/kit.hpp"
#include "microplan/service/request_handler.hpp"
#include "microplan/service/snapshot.hpp"
#include "microplan/tiles/tile_id.hpp"

namespace microplan::cli {

namespace {

// The viewer's key for an answer: the path and its parameters sorted by name (web/app.js asks
// the kit with the same key).
std::string kit_key(const std::string& path, std::vector<std::pair<std::string, std::string>> params) {
    std::sort(params.begin(), params.end());
    std::string key = path;
    for (std::size_t i = 0; i < params.size(); ++i) key += (i ? "&" : "?") + params[i].first + "=" + params[i].second;
    return key;
}

// Minutes as the viewer writes them (a JavaScript number: 30, 7.5).
std::string js_number(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.15g", v);
    return b;
}

}  // namespace

command add_export_kit(CLI::App& app) {
    struct args {
        std::string store, out, web_root = MICROPLAN_WEB_DIR;
        int max_zoom = 10;
    };
    auto a = std::make_shared<args>();
    app.add_option("store", a->store, "Planning store")->required()->check(existing_store);
    app.add_option("--out,-o", a->out, "Folder of the kit (new; an earlier kit there is replaced)")->required();
    app.add_option("--max-zoom", a->max_zoom, "Tiles from zoom 0 up to this one")
        ->check(CLI::Range(0, 14))
        ->capture_default_str();
    app.add_option("--web-root", a->web_root, "Folder of the workshop viewer (web/, with node_modules from 'make web')")
        ->capture_default_str();
    return [a] {
        auto data = service::snapshot::load(a->store);
        service::store_state state(data, 0, 0);
        service::request_handler handler(state, {});
        auto fetch = [&](const std::string& path) {
            service::http_request r;
            r.method = "GET";
            r.target = path;
            r.host = "127.0.0.1";
            r.accept = "application/json";
            r.remote = "kit";  // the log's peer
            auto answer = handler.handle(r);
            if (answer.status != 200)  // an empty tile is a 200 with no bytes
                throw std::runtime_error("GET " + path + " answered " + std::to_string(answer.status) + ": " +
                                         *answer.body);
            return *answer.body;
        };
        geo::usecases::kit_request r;
        r.out = a->out;
        r.web_root = a->web_root;
        r.fetch = fetch;
        r.on_progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
        const nlohmann::json tilejson = nlohmann::json::parse(fetch("/tiles/all.json"));
        r.info.name = "microplan: " + data->store_name();
        r.info.description = "Offline workshop kit of " + data->store_name() + " (microplan export kit)";
        r.info.attribution = tilejson.value("attribution", std::string());
        r.info.vector_layers_json = tilejson.at("vector_layers").dump();
        const auto b = tilejson.at("bounds");
        r.info.west = b[0], r.info.south = b[1], r.info.east = b[2], r.info.north = b[3];
        r.info.max_zoom = static_cast<std::uint8_t>(a->max_zoom);
        for (std::uint32_t z = 0; z <= static_cast<std::uint32_t>(a->max_zoom); ++z) {
            const auto nw = tiles::tile_for_lonlat(r.info.west, r.info.north, z);
            const auto se = tiles::tile_for_lonlat(r.info.east, r.info.south, z);
            for (std::uint32_t x = nw.x; x <= se.x; ++x)
                for (std::uint32_t y = nw.y; y <= se.y; ++y)
                    r.tiles.push_back({static_cast<std::uint8_t>(z), x, y, {}});
        }
        // What the viewer asks for, baseline only: the catalogue, the indicators of every level
        // by sector (with each stored travel time, and closing years) and every unit's report.
        r.json_paths = {"/tiles/all.json"};
        if (data->model()) {
            r.json_paths.push_back("/catalogue");
            const nlohmann::json catalogue = nlohmann::json::parse(fetch("/catalogue"));
            std::vector<std::string> sectors = {""};
            for (const auto& s : catalogue["sectors"]) sectors.push_back(s["id"]);
            for (const char* level : {"zone", "district", "circuit"}) {
                const std::string path = std::string("/indicators/") + level;
                for (const auto& sector : sectors) {
                    std::vector<std::pair<std::string, std::string>> p;
                    if (!sector.empty()) p.emplace_back("sector", sector);
                    const std::string key = kit_key(path, p);
                    r.json_paths.push_back(key);
                    auto with = p;
                    with.emplace_back("closing", "true");
                    r.json_paths.push_back(kit_key(path, with));
                    for (const auto& m :
                         nlohmann::json::parse(fetch(key)).value("minutes_available", nlohmann::json::array())) {
                        auto within = p;
                        within.emplace_back("minutes", js_number(m.get<double>()));
                        if (!sector.empty()) r.json_paths.push_back(kit_key(path, within));
                    }
                }
                for (const auto& u :
                     data->model()->where().units(*data->model()->where().tier_of(*geo::parse_level(level))))
                    r.json_paths.push_back(kit_key("/reports/unit/" + u.code, {{"level", level}}));
            }
        }
        const auto sum = geo::usecases::export_kit(std::move(r));
        std::printf(
            "wrote the kit %s: %zu tiles (z0-%d) in tiles.mbtiles (%.1f MB) and tiles.pmtiles (%.1f MB), %zu answers "
            "of the server, the viewer (open %s/index.html; no server, no network) in %.1f s\n",
            a->out.c_str(), sum.tiles, a->max_zoom, static_cast<double>(sum.mbtiles_bytes) / 1e6,
            static_cast<double>(sum.pmtiles_bytes) / 1e6, sum.answers, a->out.c_str(), sum.seconds);
        return 0;
    };
}

}  // namespace microplan::cli
