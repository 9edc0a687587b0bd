#include "microplan/service/tile_cache.hpp"

#include <algorithm>

#include "microplan/service/gzip.hpp"
#include "microplan/service/http.hpp"
#include "microplan/tiles/tileset.hpp"

namespace microplan::service {

cached_tile::cached_tile(std::string layer, tiles::tile_id id, std::string data)
    : layer_(std::move(layer)),
      id_(id),
      key_(key_of(layer_, id_)),
      data_(std::make_shared<const std::string>(std::move(data))) {
    etag_ = etag_of(*data_);
}

std::string cached_tile::key_of(const std::string& layer, const tiles::tile_id& id) {
    return layer + '/' + std::to_string(id.z) + '/' + std::to_string(id.x) + '/' + std::to_string(id.y);
}

std::shared_ptr<const std::string> cached_tile::gzipped() const {
    std::call_once(gzip_once_, [this] { gzip_ = std::make_shared<const std::string>(gzip_compress(*data_)); });
    return gzip_;
}

std::size_t tile_cache::invalidate(const std::vector<std::string>& layers, const std::vector<tiles::box>& boxes,
                                   std::uint64_t generation) {
    return lru_.drop_if(
        [&](const cached_tile& t) {
            if (std::find(layers.begin(), layers.end(), t.layer()) == layers.end()) return false;
            const tiles::box b = tiles::tile_box(t.id(), 64);
            return std::any_of(boxes.begin(), boxes.end(), [&](const tiles::box& c) { return c.intersects(b); });
        },
        generation);
}

}  // namespace microplan::service
