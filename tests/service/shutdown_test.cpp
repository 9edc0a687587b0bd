// SIGTERM stops a server: gracefully when its requests finish, and within the grace period when
// a handler never returns (the process then exits with status 1 and says why). The stuck
// handler exists only in this test: the server takes any handler, and this one blocks on purpose.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "microplan/service/http_server.hpp"
#include "service/http_client.hpp"
#include "watchdog.hpp"

namespace microplan::service {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

server_options quick_stop_options() {
    server_options o;
    o.port = 0;
    o.threads = 2;
    o.access_log = nullptr;
    o.stop_grace = std::chrono::milliseconds(500);
    return o;
}

http_response ok(const http_request&) {
    http_response r;
    r.set_body(R"({"status":"ok"})");
    return r;
}

// Sends SIGTERM to this process once `port` answers (so the server's handlers are installed).
void terminate_once_serving(std::uint16_t port) {
    for (int i = 0; i < 600; ++i) {
        try {
            if (test::http_get(port, "/").status == 200u) break;
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(::getpid(), SIGTERM);
}

TEST(ServeShutdown, SigtermStopsAServerWhoseRequestsFinish) {
    test::watchdog limit(std::chrono::seconds(60), "a server stopping on SIGTERM");
    server srv(quick_stop_options(), ok);
    std::thread signaller([port = srv.port()] { terminate_once_serving(port); });
    srv.run_until_signalled();  // returns: the test process is not ended by the signal
    signaller.join();
    // The previous disposition is back: the handlers were the server's for its run only.
    struct sigaction now {};
    ::sigaction(SIGTERM, nullptr, &now);
    EXPECT_EQ(now.sa_handler, SIG_DFL);
}

// The body of the death test, in a child process: one request is stuck in its handler forever
// (every io thread but one is free), then SIGTERM; the process must end by itself.
void serve_with_a_stuck_handler_then_sigterm() {
    std::atomic<bool> stuck{false};
    std::mutex never_mutex;
    std::condition_variable never;
    auto handler = [&](const http_request& r) {
        if (r.target != "/stuck") return ok(r);
        stuck = true;
        std::unique_lock lock(never_mutex);
        never.wait(lock, [] { return false; });  // a handler that never returns
        return ok(r);
    };
    server srv(quick_stop_options(), handler);
    std::thread client([port = srv.port(), &stuck] {
        net::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        const std::string request = "GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n";
        net::write(s, net::buffer(request));
        while (!stuck) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ::kill(::getpid(), SIGTERM);
        std::this_thread::sleep_for(std::chrono::seconds(60));  // keeps the connection open
    });
    client.detach();
    srv.run_until_signalled();
    std::fprintf(stderr, "run_until_signalled returned\n");
    std::_Exit(0);  // not expected: the stuck request cannot finish
}

TEST(ServeShutdown, SigtermEndsAServerWithAStuckHandlerAfterTheGracePeriod) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(serve_with_a_stuck_handler_then_sigterm(), ::testing::ExitedWithCode(1),
                "SIGTERM: stopping(.|\n)*requests still running 0.5 s after SIGTERM");
}

}  // namespace
}  // namespace microplan::service
