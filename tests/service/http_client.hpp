#pragma once
// A small synchronous HTTP/1.1 client for the end-to-end tests (Boost.Beast), and a raw
// socket exchange for requests no well-behaved client would send.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <string>

namespace microplan::test {

struct http_reply {
    unsigned status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
};

inline http_reply http_request_to(std::uint16_t port, const std::string& method, const std::string& target,
                                  const std::map<std::string, std::string>& headers = {},
                                  const std::string& body = {}) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    parser.skip(method == "HEAD");
    http::read(stream, buffer, parser);
    http_reply out;
    out.status = parser.get().result_int();
    for (const auto& f : parser.get()) out.headers[std::string(f.name_string())] = std::string(f.value());
    out.body = parser.get().body();
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return out;
}

inline http_reply http_get(std::uint16_t port, const std::string& target,
                           const std::map<std::string, std::string>& headers = {}) {
    return http_request_to(port, "GET", target, headers);
}

// Sends raw bytes and returns everything the server answers until it closes (or `seconds` pass
// without a byte).
inline std::string raw_exchange(std::uint16_t port, const std::string& bytes, long seconds = 2) {
    namespace beast = boost::beast;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    stream.expires_after(std::chrono::seconds(seconds));
    beast::error_code ec;
    // The server may answer and close before reading everything (413): ignore write errors.
    boost::asio::write(stream.socket(), boost::asio::buffer(bytes), ec);
    std::string out;
    char buf[4096];
    stream.socket().non_blocking(false);
    struct timeval tv {
        seconds, 0
    };
    ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (;;) {
        std::size_t n = stream.socket().read_some(boost::asio::buffer(buf), ec);
        if (ec || n == 0) break;
        out.append(buf, n);
    }
    return out;
}

}  // namespace microplan::test
