#include "microplan/geo/io/tile_archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/error.hpp"

namespace microplan::geo {

namespace {

error_location at(const std::string& path) { return {path, {}, {}, {}, {}}; }

std::string gzip(const std::string& in) {
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)  // 15 + 16: gzip wrapper
        throw std::runtime_error("zlib: deflateInit2 failed");
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (status != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
    return out;
}

// Written beside `path` and renamed over it once complete.
template <class Write>
void atomically(const std::string& path, Write&& write) {
    namespace fs = std::filesystem;
    const std::string part = path + ".part";
    fs::remove(part);
    try {
        write(part);
        fs::rename(part, path);
    } catch (...) {
        std::error_code ignored;
        fs::remove(part, ignored);
        throw;
    }
}

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

template <class T>
void put_le(std::string& out, T v, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
}

struct entry {
    std::uint64_t tile_id = 0, offset = 0;
    std::uint32_t length = 0, run_length = 0;  // run_length 0: a leaf directory
};

// A directory as PMTiles v3 serialises it: count, then tile-id deltas, run lengths, lengths and
// offsets (0 when contiguous with the previous entry, else offset + 1), each a varint.
std::string serialise(const std::vector<entry>& entries) {
    std::string out;
    put_varint(out, entries.size());
    std::uint64_t last = 0;
    for (const entry& e : entries) put_varint(out, e.tile_id - last), last = e.tile_id;
    for (const entry& e : entries) put_varint(out, e.run_length);
    for (const entry& e : entries) put_varint(out, e.length);
    for (std::size_t i = 0; i < entries.size(); ++i)
        put_varint(out, i > 0 && entries[i].offset == entries[i - 1].offset + entries[i - 1].length
                            ? 0
                            : entries[i].offset + 1);
    return out;
}

std::int32_t e7(double degrees) { return static_cast<std::int32_t>(std::lround(degrees * 1e7)); }

std::string metadata_json(const tile_archive_info& info) {
    return nlohmann::json({{"name", info.name},
                           {"description", info.description},
                           {"attribution", info.attribution},
                           {"type", "overlay"},
                           {"format", "pbf"},
                           {"vector_layers", nlohmann::json::parse(info.vector_layers_json)}})
        .dump();
}

}  // namespace

std::uint64_t pmtiles_tile_id(std::uint8_t z, std::uint32_t x, std::uint32_t y) {
    std::uint64_t id = ((std::uint64_t{1} << (2 * z)) - 1) / 3;  // tiles of the zooms before
    std::int64_t tx = x, ty = y;
    std::uint64_t d = 0;
    for (std::int64_t s = z > 0 ? std::int64_t{1} << (z - 1) : 0; s > 0; s /= 2) {
        const std::int64_t rx = (tx & s) > 0, ry = (ty & s) > 0;
        d += static_cast<std::uint64_t>(s) * static_cast<std::uint64_t>(s) * static_cast<std::uint64_t>((3 * rx) ^ ry);
        if (ry == 0) {  // rotate the quadrant
            if (rx == 1) tx = s - 1 - tx, ty = s - 1 - ty;
            std::swap(tx, ty);
        }
    }
    return id + d;
}

void write_mbtiles(const std::string& path, const tile_archive_info& info, const std::vector<archived_tile>& tiles) {
    atomically(path, [&](const std::string& part) {
        try {
            sqlite::connection db(part, sqlite::connection::mode::create);
            sqlite::transaction tx(db);
            db.exec("CREATE TABLE metadata (name TEXT, value TEXT)");
            db.exec("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)");
            db.exec("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)");
            char bounds[128], center[128];
            std::snprintf(bounds, sizeof bounds, "%.7f,%.7f,%.7f,%.7f", info.west, info.south, info.east, info.north);
            std::snprintf(center, sizeof center, "%.7f,%.7f,%d", (info.west + info.east) / 2,
                          (info.south + info.north) / 2, std::min<int>(info.max_zoom, 6));
            const std::pair<const char*, std::string> meta[] = {
                {"name", info.name},
                {"description", info.description},
                {"attribution", info.attribution},
                {"type", "overlay"},
                {"version", "1"},
                {"format", "pbf"},
                {"bounds", bounds},
                {"center", center},
                {"minzoom", std::to_string(info.min_zoom)},
                {"maxzoom", std::to_string(info.max_zoom)},
                {"json", nlohmann::json({{"vector_layers", nlohmann::json::parse(info.vector_layers_json)}}).dump()}};
            sqlite::statement m(db, "INSERT INTO metadata (name, value) VALUES (?, ?)");
            for (const auto& [k, v] : meta) m.bind(1, k).bind(2, v).run();
            sqlite::statement t(db, "INSERT INTO tiles VALUES (?, ?, ?, ?)");
            for (const archived_tile& tile : tiles) {
                const std::string packed = gzip(tile.data);
                const std::int64_t tms_row =
                    (std::int64_t{1} << tile.z) - 1 - tile.y;  // MBTiles rows count from the south
                t.bind(1, static_cast<std::int64_t>(tile.z))
                    .bind(2, static_cast<std::int64_t>(tile.x))
                    .bind(3, tms_row);
                t.bind_blob(4, {reinterpret_cast<const unsigned char*>(packed.data()), packed.size()}).run();
            }
            tx.commit();
        } catch (const std::exception& e) {
            throw format_error(at(path), "cannot write the MBTiles file", e.what());
        }
    });
}

void write_pmtiles(const std::string& path, const tile_archive_info& info, std::vector<archived_tile> tiles) {
    std::vector<std::pair<std::uint64_t, std::size_t>> order;
    for (std::size_t i = 0; i < tiles.size(); ++i)
        if (!tiles[i].data.empty()) order.emplace_back(pmtiles_tile_id(tiles[i].z, tiles[i].x, tiles[i].y), i);
    std::sort(order.begin(), order.end());
    // Tile data gzip-compressed in tile-id order; identical tiles stored once (runs of them one
    // entry).
    std::string data;
    std::vector<entry> entries;
    std::map<std::string, std::pair<std::uint64_t, std::uint32_t>> stored;  // tile bytes -> offset, length
    std::size_t contents = 0;
    for (const auto& [id, i] : order) {
        const std::string& bytes = tiles[i].data;
        auto it = stored.find(bytes);
        if (it == stored.end()) {
            const std::string packed = gzip(bytes);
            it = stored.emplace(bytes, std::pair{std::uint64_t{data.size()}, static_cast<std::uint32_t>(packed.size())})
                     .first;
            data += packed, ++contents;
        }
        const auto [offset, length] = it->second;
        if (!entries.empty() && entries.back().tile_id + entries.back().run_length == id &&
            entries.back().offset == offset && entries.back().length == length) {
            ++entries.back().run_length;
            continue;
        }
        entries.push_back({id, offset, length, 1});
    }
    // The root directory, or leaves of 4,096 entries under it when it would not fit 16 KB.
    std::string root = serialise(entries), leaves;
    if (127 + root.size() > 16384) {
        std::vector<entry> index;
        for (std::size_t i = 0; i < entries.size(); i += 4096) {
            std::vector<entry> part(entries.begin() + static_cast<std::ptrdiff_t>(i),
                                    entries.begin() + static_cast<std::ptrdiff_t>(std::min(entries.size(), i + 4096)));
            const std::string leaf = serialise(part);
            index.push_back({part.front().tile_id, leaves.size(), static_cast<std::uint32_t>(leaf.size()), 0});
            leaves += leaf;
        }
        root = serialise(index);
    }
    const std::string meta = metadata_json(info);
    const std::uint64_t root_at = 127, meta_at = root_at + root.size(), leaves_at = meta_at + meta.size(),
                        data_at = leaves_at + leaves.size();
    std::uint64_t addressed = 0;
    for (const entry& e : entries) addressed += e.run_length;
    std::string header = "PMTiles";
    header.push_back(3);
    for (std::uint64_t v : {root_at, std::uint64_t{root.size()}, meta_at, std::uint64_t{meta.size()}, leaves_at,
                            std::uint64_t{leaves.size()}, data_at, std::uint64_t{data.size()}, addressed,
                            std::uint64_t{entries.size()}, std::uint64_t{contents}})
        put_le(header, v, 8);
    header.push_back(1);  // clustered
    header.push_back(1);  // internal compression: none
    header.push_back(2);  // tile compression: gzip
    header.push_back(1);  // tile type: MVT
    header.push_back(static_cast<char>(info.min_zoom));
    header.push_back(static_cast<char>(info.max_zoom));
    for (double v : {info.west, info.south, info.east, info.north})
        put_le(header, static_cast<std::uint32_t>(e7(v)), 4);
    header.push_back(static_cast<char>(std::min<int>(info.max_zoom, 6)));
    put_le(header, static_cast<std::uint32_t>(e7((info.west + info.east) / 2)), 4);
    put_le(header, static_cast<std::uint32_t>(e7((info.south + info.north) / 2)), 4);
    if (header.size() != 127) throw std::logic_error("PMTiles header of " + std::to_string(header.size()) + " bytes");
    atomically(path, [&](const std::string& part) {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        out << header << root << meta << leaves << data;
        out.close();
        if (!out) throw format_error(at(path), "cannot write the PMTiles file", "the disk may be full or read-only");
    });
}

}  // namespace microplan::geo
