#pragma once
// HTTP/1.1 server on Boost.Asio/Beast: keep-alive; one io thread per core, each with an
// io_context of its own that a connection stays on from accept to close (no strands, no lock
// shared while serving; quick requests are answered there, the others on a pool of blocking
// work); status line and headers written by hand into one buffer sent with the shared body in
// one gathered write; limits per connection (header and body size, read and write deadlines,
// requests answered in order, one at a time, so pipelined requests queue in the socket
// rather than in memory), an access log, and graceful shutdown: stop() closes the listener,
// lets requests in flight finish and closes idle connections.
//
// The server knows nothing of planning: each request goes to the handler given at
// construction, which must not throw (the request handler maps every failure to a response).
//
// Stopping on a signal (run_until_signalled): SIGINT/SIGTERM are caught by a handler that
// only writes to a pipe, and a thread of their own (not an io thread, which a stuck request
// could hold) calls stop(). If the io threads have not all returned `stop_grace` later (a
// handler that never returns), the process exits at once with status 1 and a message saying
// so; a second signal during the grace period does the same without waiting.
//
// Thread safety: construct, run() and stop() from any thread; stop() only posts work.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "microplan/service/http.hpp"

namespace microplan::service {

struct server_options {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port (see server::port())
    unsigned threads = 0;       // 0: one per core
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 1024 * 1024;
    std::chrono::seconds read_timeout{30};   // for a whole request, headers and body
    std::chrono::seconds write_timeout{30};  // for a whole response
    std::chrono::seconds idle_timeout{60};   // keep-alive connection without a request
    std::FILE* access_log = stderr;          // null: no access log
    // Connections beyond these limits are answered 503 and closed at once, so slow clients
    // (slowloris) cannot hold every descriptor; the process's open-file limit is raised to
    // its hard maximum at start.
    std::size_t max_connections = 4096;
    std::size_t max_connections_per_client = 256;  // per remote address
    // After SIGINT/SIGTERM, how long requests in flight may take before the process exits
    // without them (run_until_signalled).
    std::chrono::milliseconds stop_grace{std::chrono::seconds(10)};
};

class server {
public:
    // Binds and listens (throws std::runtime_error naming the address when it cannot).
    // `quick` says which requests are answered on the io thread that read them (cached bytes,
    // small computations); every other runs on a pool of as many threads, so a long report
    // holds no connection but its own. Empty: every request is quick.
    server(server_options options, request_handler_fn handler, request_quick_fn quick = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept;
    // Serves until stop(); returns when every connection has ended. Blocks the caller, which
    // is one of the io threads.
    void run();
    // run() until SIGINT or SIGTERM, then stop(): returns when every connection has ended,
    // or ends the process (status 1) when requests are still running `stop_grace` later.
    // One server at a time per process (the signal handlers are the process's).
    void run_until_signalled();
    void stop();

    struct impl;  // the Beast side (http_server.cpp)

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace microplan::service
