#pragma once
// Serialised OGC API – Features answers (item pages, single items, GeoJSON downloads) kept as
// tiles are: the bytes, their ETag and, made on first demand, their gzip form, so a page asked
// again is sent without serialising or compressing it again. A page is keyed by its collection,
// the base URL of its links and the request target as sent; when the store changes, the pages
// of the collections that changed are dropped together with their tiles (store_state::replace).
//
// Thread safety: every member is safe to call from any thread (sharded_lru).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "microplan/service/http.hpp"
#include "microplan/service/sharded_lru.hpp"

namespace microplan::service {

class cached_page {
public:
    // `response` is a 200 answer with its body, content type and headers; its ETag, when it has
    // one, is kept as the page's (else the hash of the body).
    cached_page(std::string collection, std::string key, const http_response& response);
    [[nodiscard]] const std::string& collection() const noexcept { return collection_; }
    [[nodiscard]] const std::string& key() const noexcept { return key_; }
    [[nodiscard]] std::size_t bytes() const noexcept;
    [[nodiscard]] const std::string& etag() const noexcept { return etag_; }
    [[nodiscard]] std::shared_ptr<const std::string> gzipped() const;  // made once

    // The answer for one request: 304 when If-None-Match names the page, gzip when the client
    // takes it and the body is over 1 KB, with ETag and Cache-Control either way.
    [[nodiscard]] http_response answer(const http_request& request) const;

    static std::string key_of(const std::string& collection, const std::string& base_url, const std::string& target);

private:
    std::string collection_, key_, content_type_, etag_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::shared_ptr<const std::string> data_;
    mutable std::once_flag gzip_once_;
    mutable std::shared_ptr<const std::string> gzip_;
};

class page_cache {
public:
    explicit page_cache(std::size_t max_bytes) : lru_(max_bytes) {}

    [[nodiscard]] std::shared_ptr<const cached_page> get(const std::string& key) { return lru_.get(key); }
    // Admits the page unless it was made from a snapshot older than the last invalidation.
    void put(std::shared_ptr<const cached_page> page, std::uint64_t generation) {
        lru_.put(std::move(page), generation);
    }
    // Drops the pages of `collections`; later puts need `generation` or newer.
    std::size_t invalidate(const std::vector<std::string>& collections, std::uint64_t generation);
    void clear(std::uint64_t generation) { lru_.clear(generation); }

    using stats = sharded_lru<cached_page>::stats;
    [[nodiscard]] stats statistics() const { return lru_.statistics(); }

private:
    sharded_lru<cached_page> lru_;
};

}  // namespace microplan::service
