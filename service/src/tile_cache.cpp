#include "microplan/service/tile_cache.hpp"

#include <cstdio>
#include <functional>

#include "microplan/service/gzip.hpp"
#include "microplan/service/http.hpp"
#include "microplan/tiles/tileset.hpp"

namespace microplan::service {

cached_tile::cached_tile(std::string layer, tiles::tile_id id, std::string data)
    : layer_(std::move(layer)), id_(id), data_(std::make_shared<const std::string>(std::move(data))) {
    etag_ = etag_of(*data_);
}

std::shared_ptr<const std::string> cached_tile::gzipped() const {
    std::call_once(gzip_once_, [this] { gzip_ = std::make_shared<const std::string>(gzip_compress(*data_)); });
    return gzip_;
}

tile_cache::tile_cache(std::size_t max_bytes) : max_bytes_per_shard_(max_bytes / 8) {}

std::string tile_cache::key(const std::string& layer, const tiles::tile_id& id) {
    return layer + '/' + std::to_string(id.z) + '/' + std::to_string(id.x) + '/' + std::to_string(id.y);
}

tile_cache::shard& tile_cache::shard_for(const std::string& k) {
    return shards_[std::hash<std::string>{}(k) % shards_.size()];
}

std::shared_ptr<const cached_tile> tile_cache::get(const std::string& layer, const tiles::tile_id& id) {
    if (max_bytes_per_shard_ == 0) return nullptr;
    std::string k = key(layer, id);
    shard& s = shard_for(k);
    std::lock_guard lock(s.mutex);
    auto it = s.index.find(k);
    if (it == s.index.end()) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    s.order.splice(s.order.begin(), s.order, it->second);
    return *it->second;
}

void tile_cache::put(std::shared_ptr<const cached_tile> tile, std::uint64_t generation) {
    if (max_bytes_per_shard_ == 0 || tile->bytes() > max_bytes_per_shard_) return;
    std::string k = key(tile->layer(), tile->id());
    shard& s = shard_for(k);
    std::lock_guard lock(s.mutex);
    if (generation < min_generation_.load()) return;
    if (auto it = s.index.find(k); it != s.index.end()) {
        s.bytes -= (*it->second)->bytes();
        s.order.erase(it->second);
        s.index.erase(it);
    }
    s.bytes += tile->bytes();
    s.order.push_front(std::move(tile));
    s.index.emplace(std::move(k), s.order.begin());
    while (s.bytes > max_bytes_per_shard_ && !s.order.empty()) {
        const auto& last = s.order.back();
        s.bytes -= last->bytes();
        s.index.erase(key(last->layer(), last->id()));
        s.order.pop_back();
    }
}

std::size_t tile_cache::invalidate(const std::vector<std::string>& layers, const std::vector<tiles::box>& boxes,
                                   std::uint64_t generation) {
    min_generation_.store(generation);
    std::size_t dropped = 0;
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (auto it = s.order.begin(); it != s.order.end();) {
            const cached_tile& t = **it;
            bool hit = false;
            if (std::find(layers.begin(), layers.end(), t.layer()) != layers.end()) {
                tiles::box b = tiles::tile_box(t.id(), 64);
                for (const auto& c : boxes)
                    if (c.intersects(b)) {
                        hit = true;
                        break;
                    }
            }
            if (hit) {
                s.bytes -= t.bytes();
                s.index.erase(key(t.layer(), t.id()));
                it = s.order.erase(it);
                ++dropped;
            } else {
                ++it;
            }
        }
    }
    return dropped;
}

void tile_cache::clear(std::uint64_t generation) {
    min_generation_.store(generation);
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        s.order.clear();
        s.index.clear();
        s.bytes = 0;
    }
}

tile_cache::stats tile_cache::statistics() const {
    stats out;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        out.tiles += s.order.size();
        out.bytes += s.bytes;
    }
    out.hits = hits_.load();
    out.misses = misses_.load();
    return out;
}

}  // namespace microplan::service
