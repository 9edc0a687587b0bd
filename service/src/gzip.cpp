#include "microplan/service/gzip.hpp"

#include <zlib.h>

#include <cctype>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "microplan/service/http.hpp"

namespace microplan::service {

std::string gzip_compress(std::string_view data, int level) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("zlib: deflateInit2 failed");
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate failed");
    return out;
}

std::string etag_of(std::string_view body) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "\"%016zx\"", std::hash<std::string_view>{}(body));
    return buf;
}

bool accepts_gzip(std::string_view header) {
    std::size_t at = 0;
    while (at < header.size()) {
        std::size_t comma = header.find(',', at);
        if (comma == std::string_view::npos) comma = header.size();
        std::string_view item = header.substr(at, comma - at);
        at = comma + 1;
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
        std::string_view coding = item.substr(0, item.find(';'));
        while (!coding.empty() && std::isspace(static_cast<unsigned char>(coding.back()))) coding.remove_suffix(1);
        if (coding != "gzip" && coding != "*") continue;
        auto q = item.find("q=");
        if (q != std::string_view::npos) {
            std::string_view v = item.substr(q + 2);
            if (!v.empty() && v[0] == '0' && (v.size() == 1 || v.find_first_not_of("0.", 0) == std::string_view::npos))
                return false;
        }
        return true;
    }
    return false;
}

}  // namespace microplan::service
