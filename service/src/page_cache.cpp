#include "microplan/service/page_cache.hpp"

#include <algorithm>

#include "microplan/service/gzip.hpp"

namespace microplan::service {

cached_page::cached_page(std::string collection, std::string key, const http_response& response)
    : collection_(std::move(collection)),
      key_(std::move(key)),
      content_type_(response.content_type),
      headers_(response.headers),
      data_(response.body ? response.body : std::make_shared<const std::string>()) {
    // A version the route gave (a feature's, for optimistic locking) is the page's tag; else
    // the hash of the bytes.
    for (auto it = headers_.begin(); it != headers_.end(); ++it)
        if (it->first == "ETag") {
            etag_ = it->second;
            headers_.erase(it);
            return;
        }
    etag_ = etag_of(*data_);
}

std::size_t cached_page::bytes() const noexcept {
    std::size_t n = data_->size() + collection_.size() + 2 * key_.size() + content_type_.size() + etag_.size() + 256;
    for (const auto& [name, value] : headers_) n += name.size() + value.size() + 64;
    return n;
}

std::shared_ptr<const std::string> cached_page::gzipped() const {
    std::call_once(gzip_once_, [this] { gzip_ = std::make_shared<const std::string>(gzip_compress(*data_)); });
    return gzip_;
}

http_response cached_page::answer(const http_request& request) const {
    http_response out;
    out.content_type = content_type_;
    out.headers = headers_;
    out.add_header("ETag", etag_);
    out.add_header("Cache-Control", "no-cache");
    if (if_none_match_matches(request.if_none_match, etag_)) {
        out.status = 304;
        return out;
    }
    if (data_->size() > 1024 && accepts_gzip(request.accept_encoding)) {
        out.body = gzipped();
        out.add_header("Content-Encoding", "gzip");
        out.add_header("Vary", "Accept-Encoding");
    } else {
        out.body = data_;
    }
    return out;
}

std::string cached_page::key_of(const std::string& collection, const std::string& base_url, const std::string& target) {
    return collection + '\n' + base_url + '\n' + target;
}

std::size_t page_cache::invalidate(const std::vector<std::string>& collections, std::uint64_t generation) {
    return lru_.drop_if(
        [&](const cached_page& p) {
            return std::find(collections.begin(), collections.end(), p.collection()) != collections.end();
        },
        generation);
}

}  // namespace microplan::service
