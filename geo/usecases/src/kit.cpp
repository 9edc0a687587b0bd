#include "microplan/geo/usecases/kit.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "microplan/geo/error.hpp"
#include "text.hpp"

namespace microplan::geo::usecases {

namespace {

namespace fs = std::filesystem;

std::string base64(const std::string& in) {
    static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int s : {18, 12, 6, 0}) out.push_back(digits[(v >> s) & 63]);
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out.push_back(digits[(v >> 18) & 63]);
        out.push_back(digits[(v >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? digits[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw format_error({p.string(), {}, {}, {}, {}}, "cannot read the viewer's file", "run make web first");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out) throw format_error({p.string(), {}, {}, {}, {}}, "cannot write the kit", "the disk may be full");
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// The viewer's page with its files beside it and the kit's data loaded before the app.
std::string kit_page(const std::string& index) {
    std::string page = replace_all(index, "/viewer/", "");
    const std::string app = "<script src=\"app.js\"></script>";
    const auto at = page.find(app);
    if (at == std::string::npos) throw std::logic_error("the viewer's index.html does not load app.js");
    page.insert(at, "<script src=\"pmtiles.js\"></script>\n  <script src=\"kit-data.js\"></script>\n  ");
    return page;
}

}  // namespace

kit_summary export_kit(kit_request r) {
    const auto started = std::chrono::steady_clock::now();
    kit_summary sum;
    const fs::path web(r.web_root), out(r.out), part(r.out + ".part");
    const std::pair<fs::path, const char*> files[] = {
        {web / "index.html", "index.html"},
        {web / "app.js", "app.js"},
        {web / "style.css", "style.css"},
        {web / "node_modules/maplibre-gl/dist/maplibre-gl.js", "maplibre-gl.js"},
        {web / "node_modules/maplibre-gl/dist/maplibre-gl.css", "maplibre-gl.css"},
        {web / "node_modules/pmtiles/dist/pmtiles.js", "pmtiles.js"}};
    for (const auto& [from, name] : files)
        if (!fs::exists(from))
            throw format_error({from.string(), {}, {}, {}, {}}, "the viewer's file is missing",
                               "the kit copies the viewer from --web-root; run make web (npm ci in web/) first");
    if (fs::exists(out) && !fs::exists(out / "kit-data.js"))
        throw format_error({r.out, {}, {}, {}, {}}, "the folder exists and is not a kit",
                           "choose a new folder: the kit replaces only a folder it wrote");
    fs::remove_all(part);
    fs::create_directories(part);
    try {
        for (auto& t : r.tiles) {
            std::string path = replace_all(r.tile_path, "{z}", std::to_string(t.z));
            path = replace_all(replace_all(path, "{x}", std::to_string(t.x)), "{y}", std::to_string(t.y));
            t.data = r.fetch(path);
            ++(t.data.empty() ? sum.empty_tiles : sum.tiles);
        }
        detail::tell(r.on_progress, detail::text("%zu tiles (%zu empty) up to zoom %d", sum.tiles, sum.empty_tiles,
                                                 static_cast<int>(r.info.max_zoom)));
        std::erase_if(r.tiles, [](const archived_tile& t) { return t.data.empty(); });
        write_mbtiles((part / "tiles.mbtiles").string(), r.info, r.tiles);
        write_pmtiles((part / "tiles.pmtiles").string(), r.info, r.tiles);
        nlohmann::json answers = nlohmann::json::object();
        for (const auto& p : r.json_paths) answers[p] = nlohmann::json::parse(r.fetch(p));
        sum.answers = answers.size();
        const std::string data =
            "// microplan offline kit: the tiles (PMTiles, base64) and the server's answers.\n"
            "window.MICROPLAN_KIT = {\"name\": " +
            nlohmann::json(r.info.name).dump() + ", \"pmtiles\": \"" + base64(read_file(part / "tiles.pmtiles")) +
            "\", \"answers\": " + answers.dump() + "};\n";
        write_file(part / "kit-data.js", data);
        for (const auto& [from, name] : files)
            write_file(part / name, std::string(name) == "index.html" ? kit_page(read_file(from)) : read_file(from));
        sum.mbtiles_bytes = fs::file_size(part / "tiles.mbtiles");
        sum.pmtiles_bytes = fs::file_size(part / "tiles.pmtiles");
        sum.data_bytes = data.size();
        fs::remove_all(out);
        fs::rename(part, out);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(part, ignored);
        throw;
    }
    sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return sum;
}

}  // namespace microplan::geo::usecases
