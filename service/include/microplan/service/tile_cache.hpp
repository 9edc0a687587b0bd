#pragma once
// A bounded in-memory cache of encoded tiles (least recently used goes first), with each
// tile's ETag and, made on first demand, its gzip form. When the store changes, the tiles
// that meet a changed feature are invalidated; tiles rendered from an older snapshot than
// the last invalidation are not admitted, so a slow render cannot bring stale data back.
//
// Thread safety: every member is safe to call from any thread (sharded_lru).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "microplan/service/sharded_lru.hpp"
#include "microplan/tiles/geometry.hpp"
#include "microplan/tiles/tile_id.hpp"

namespace microplan::service {

class cached_tile {
public:
    cached_tile(std::string layer, tiles::tile_id id, std::string data);
    [[nodiscard]] const std::string& layer() const noexcept { return layer_; }
    [[nodiscard]] const tiles::tile_id& id() const noexcept { return id_; }
    [[nodiscard]] const std::string& key() const noexcept { return key_; }  // "layer/z/x/y"
    [[nodiscard]] const std::shared_ptr<const std::string>& data() const noexcept { return data_; }
    [[nodiscard]] const std::string& etag() const noexcept { return etag_; }
    [[nodiscard]] std::shared_ptr<const std::string> gzipped() const;  // made once
    [[nodiscard]] std::size_t bytes() const noexcept { return data_->size() + 2 * layer_.size() + 160; }

    static std::string key_of(const std::string& layer, const tiles::tile_id& id);

private:
    std::string layer_;
    tiles::tile_id id_;
    std::string key_;
    std::shared_ptr<const std::string> data_;
    std::string etag_;
    mutable std::once_flag gzip_once_;
    mutable std::shared_ptr<const std::string> gzip_;
};

class tile_cache {
public:
    explicit tile_cache(std::size_t max_bytes) : lru_(max_bytes) {}

    [[nodiscard]] std::shared_ptr<const cached_tile> get(const std::string& layer, const tiles::tile_id& id) {
        return lru_.get(cached_tile::key_of(layer, id));
    }
    // Admits the tile unless it was rendered from a snapshot older than the last invalidation.
    void put(std::shared_ptr<const cached_tile> tile, std::uint64_t generation) {
        lru_.put(std::move(tile), generation);
    }
    // Drops the tiles of `layers` that meet one of `mercator_boxes` (grown by the tile
    // buffer); later puts need `generation` or newer. Returns how many were dropped.
    std::size_t invalidate(const std::vector<std::string>& layers, const std::vector<tiles::box>& mercator_boxes,
                           std::uint64_t generation);
    void clear(std::uint64_t generation) { lru_.clear(generation); }

    using stats = sharded_lru<cached_tile>::stats;
    [[nodiscard]] stats statistics() const { return lru_.statistics(); }

private:
    sharded_lru<cached_tile> lru_;
};

}  // namespace microplan::service
