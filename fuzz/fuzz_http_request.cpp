// Raw bytes as an HTTP client would send them: Beast's request parser with the server's
// limits, then microplan's whole request handler (routing, every endpoint, errors) on the demo
// store named by MICROPLAN_FUZZ_STORE (make fuzz generates it). Edits are off (no token).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <memory>

#include "microplan/service/request_handler.hpp"

namespace {
microplan::service::store_state* state = nullptr;
microplan::service::request_handler* handler = nullptr;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* store = std::getenv("MICROPLAN_FUZZ_STORE");
    if (!store) {
        std::fprintf(stderr, "set MICROPLAN_FUZZ_STORE to a demo store (make fuzz does)\n");
        std::abort();
    }
    state = new microplan::service::store_state(microplan::service::snapshot::load(store), 16 * 1024 * 1024);
    handler = new microplan::service::request_handler(*state, {});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace http = boost::beast::http;
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec || !parser.is_done()) return 0;
    const auto& req = parser.get();
    microplan::service::http_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    if (auto it = req.find(http::field::accept); it != req.end()) r.accept = std::string(it->value());
    if (auto it = req.find(http::field::accept_encoding); it != req.end()) r.accept_encoding = std::string(it->value());
    r.body = req.body();
    auto response = handler->handle(r);
    // A client's bytes may be refused (4xx) but never make an internal error.
    if (response.status < 100 || response.status > 599 || response.status == 500) std::abort();
    return 0;
}
