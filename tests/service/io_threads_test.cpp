// How the server places requests on its threads and writes its answers: each connection stays
// on one io thread; quick requests are answered there, the others on the blocking pool, so a
// long request holds no connection but its own; the status line and headers are written by
// hand (HTTP/1.0 and 1.1, HEAD, no response splitting); and which routes of microplan's table
// are quick.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "http_client.hpp"
#include "microplan/service/http_server.hpp"
#include "running_server.hpp"
#include "support.hpp"
#include "watchdog.hpp"

namespace microplan::service {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A server on one io thread over a handler of the test's, run on a thread of its own.
class one_thread_server {
public:
    one_thread_server(request_handler_fn handler, request_quick_fn quick) {
        server_options o;
        o.port = 0;
        o.threads = 1;
        o.access_log = nullptr;
        srv_ = std::make_unique<server>(o, std::move(handler), std::move(quick));
        thread_ = std::thread([this] { srv_->run(); });
    }
    ~one_thread_server() {
        srv_->stop();
        thread_.join();
    }
    one_thread_server(const one_thread_server&) = delete;
    one_thread_server& operator=(const one_thread_server&) = delete;
    [[nodiscard]] std::uint16_t port() const { return srv_->port(); }

private:
    std::unique_ptr<server> srv_;
    std::thread thread_;
};

http_response text(std::string body) {
    http_response r;
    r.content_type = "text/plain";
    r.set_body(std::move(body));
    return r;
}

TEST(IoThreads, ALongRequestDoesNotHoldTheConnectionsThatShareItsIoThread) {
    test::watchdog limit(60s, "a long request beside quick ones");
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    std::atomic<bool> slow_started{false}, slow_done{false};
    one_thread_server srv(
        [&](const http_request& r) {
            if (r.target != "/slow") return text("fast");
            slow_started = true;
            std::unique_lock lock(m);
            cv.wait_for(lock, 20s, [&] { return release; });
            slow_done = true;
            return text("slow");
        },
        [](const http_request& r) { return r.target != "/slow"; });

    // The slow request on its own connection, read on a thread of the test's.
    std::string slow_reply;
    std::thread slow([&] {
        slow_reply = test::raw_exchange(srv.port(), "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 30);
    });
    for (int i = 0; i < 500 && !slow_started; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(slow_started);
    // The one io thread still answers other connections, and new ones, while it runs.
    for (int i = 0; i < 5; ++i) {
        auto fast = test::http_get(srv.port(), "/fast");
        EXPECT_EQ(fast.status, 200u);
        EXPECT_EQ(fast.body, "fast");
    }
    EXPECT_FALSE(slow_done);
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    slow.join();
    EXPECT_NE(slow_reply.find("HTTP/1.1 200 OK"), std::string::npos) << slow_reply;
    EXPECT_TRUE(slow_reply.ends_with("slow")) << slow_reply;
}

TEST(IoThreads, StopWaitsForAnAnswerComingFromTheBlockingPool) {
    test::watchdog limit(60s, "stop while the pool answers");
    std::atomic<bool> started{false};
    auto srv = std::make_unique<one_thread_server>(
        [&](const http_request&) {
            started = true;
            std::this_thread::sleep_for(500ms);
            return text("late");
        },
        [](const http_request&) { return false; });
    std::string reply;
    std::thread client(
        [&, port = srv->port()] { reply = test::raw_exchange(port, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n", 10); });
    for (int i = 0; i < 500 && !started; ++i) std::this_thread::sleep_for(10ms);
    srv.reset();  // stop() and join while the answer is on the pool
    client.join();
    EXPECT_NE(reply.find("HTTP/1.1 200 OK"), std::string::npos) << reply;
    EXPECT_TRUE(reply.ends_with("late")) << reply;
}

TEST(IoThreads, HeadersAreWrittenWithoutResponseSplittingForHttp10And11AndHead) {
    one_thread_server srv(
        [](const http_request&) {
            http_response r = text("hello");
            r.add_header("X-Name", "a\r\nSet-Cookie: stolen=1");
            r.add_header("ETag", "\"1\"");
            return r;
        },
        {});
    const std::string one = test::raw_exchange(srv.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(one.starts_with("HTTP/1.1 200 OK\r\nServer: microplan\r\nContent-Type: text/plain\r\n")) << one;
    EXPECT_NE(one.find("\r\nX-Name: a  Set-Cookie: stolen=1\r\n"), std::string::npos) << one;
    EXPECT_EQ(one.find("\r\nSet-Cookie"), std::string::npos) << one;
    EXPECT_NE(one.find("\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"), std::string::npos) << one;

    // HTTP/1.0 asking to keep the connection: said so, and the connection stays for a second request.
    const std::string ten = test::raw_exchange(srv.port(),
                                               "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                               "HEAD / HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(ten.starts_with("HTTP/1.0 200 OK\r\n")) << ten;
    EXPECT_NE(ten.find("Content-Length: 5\r\nConnection: keep-alive\r\n\r\nhelloHTTP/1.0 200 OK\r\n"),
              std::string::npos)
        << ten;
    // HEAD: the length of the body it would have had, no body, and (HTTP/1.0 by default) closed.
    EXPECT_TRUE(ten.ends_with("Content-Length: 5\r\nConnection: close\r\n\r\n")) << ten;
}

TEST(IoThreads, MicroplansRoutesSayWhichAreQuick) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("microplan-io-threads-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string store = (dir / "demo.sqlite").string();
    ASSERT_EQ(test::demo_store_at(store).exit_code, 0);
    {
        test::running_server server(store);
        auto quick = [&](const std::string& method, const std::string& target) {
            http_request r;
            r.method = method;
            r.target = target;
            return server.handler.quick(r);
        };
        // Cached bytes and small documents: on the io thread.
        for (const char* t : {"/health", "/", "/tiles/all/5/9/15.mvt", "/tiles/circuits/3/2/3.pbf", "/tiles/all.json",
                              "/styles/microplan.json", "/collections/circuits",
                              "/collections/circuits/items?limit=100&offset=200", "/collections/circuits/items/1",
                              "/collections/circuits/queryables", "/conformance", "/viewer/index.html", "/favicon.ico"})
            EXPECT_TRUE(quick("GET", t)) << t;
        // Answered at once without a route: 404, 405, a malformed target, a preflight.
        for (const char* t : {"/no/such/path", "/%zz"}) EXPECT_TRUE(quick("GET", t)) << t;
        EXPECT_TRUE(quick("DELETE", "/tiles/all.json"));
        EXPECT_TRUE(quick("OPTIONS", "/collections/establishments/items"));
        // Reports, plans, the API document, downloads and every edit: on the pool.
        // The list of collections and the proposals collection are built from the scenario book.
        for (const char* t : {"/reports/coverage", "/reports/district/0101", "/plan", "/api", "/geojson/zones",
                              "/scenarios", "/scorecards/zone", "/collections", "/collections/proposals/items",
                              "/collections/proposals/items/3", "/collections/proposals"})
            EXPECT_FALSE(quick("GET", t)) << t;
        EXPECT_FALSE(quick("POST", "/scenarios"));
        EXPECT_FALSE(quick("POST", "/collections/establishments/items"));
        EXPECT_FALSE(quick("PATCH", "/collections/establishments/items/1"));
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace microplan::service
