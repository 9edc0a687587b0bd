#pragma once
// gzip (RFC 1952) with zlib, for clients that send Accept-Encoding: gzip.
#include <string>
#include <string_view>

namespace microplan::service {

std::string gzip_compress(std::string_view data, int level = 6);
// True when an Accept-Encoding header accepts gzip (and does not give it q=0).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace microplan::service
