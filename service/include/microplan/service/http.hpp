#pragma once
// The HTTP exchange as the request handler sees it: plain values, no sockets, so endpoints
// are tested without a network and the connection code knows nothing of planning.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace microplan::service {

struct http_request {
    std::string method;  // "GET", "HEAD", ...
    std::string target;  // as sent: "/collections/circuits/items?limit=10"
    std::string host, accept, accept_encoding, if_none_match, authorization;
    std::string if_match, content_type;  // edits: the version the client read; the body's type
    std::string body;
    std::string remote;  // peer address, for the log
};

struct http_response {
    unsigned status = 200;
    std::string content_type = "application/json";
    // Shared so that cached bodies (tiles) are sent without a copy.
    std::shared_ptr<const std::string> body = std::make_shared<const std::string>();
    std::vector<std::pair<std::string, std::string>> headers;  // ETag, Cache-Control, ...

    void set_body(std::string text) { body = std::make_shared<const std::string>(std::move(text)); }
    void add_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

using request_handler_fn = std::function<http_response(const http_request&)>;
// Whether a request is answered quickly enough to run on the io thread that read it.
using request_quick_fn = std::function<bool(const http_request&)>;

// A strong ETag for a body: a quoted 64-bit hash of its bytes.
std::string etag_of(std::string_view body);

// Whether an If-None-Match header matches `etag` (RFC 9110 13.1.2): "*", or a comma-separated
// list of entity tags compared weakly (W/"x" matches "x"). Malformed members match nothing.
bool if_none_match_matches(std::string_view header, std::string_view etag);

}  // namespace microplan::service
