// The server under hostile clients: connection limits against slow clients (slowloris), the
// whole-request deadline, CORS defaults, and a server killed while it drops the tiles of a
// changed store.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "http_client.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "running_server.hpp"
#include "support.hpp"

namespace microplan::service {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string microplan_cmd(const std::string& args) { return std::string(MICROPLAN_BINARY) + " " + args; }

class Hardening : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("microplan-hardening-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        store_ = (dir_ / "demo.sqlite").string();
        auto r = test::demo_store_at(store_);
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
    static inline std::filesystem::path dir_;
    static inline std::string store_;
};

// A connection from `local` (any 127.x address is this machine) that sends `bytes` and waits.
std::unique_ptr<tcp::socket> open_from(net::io_context& ioc, const std::string& local, std::uint16_t port,
                                       const std::string& bytes) {
    auto s = std::make_unique<tcp::socket>(ioc);
    s->open(tcp::v4());
    s->bind(tcp::endpoint(net::ip::make_address(local), 0));
    s->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    if (!bytes.empty()) net::write(*s, net::buffer(bytes));
    return s;
}

// What the server sends until it closes or `seconds` pass.
std::string read_all(tcp::socket& s, int seconds) {
    struct timeval tv {
        seconds, 0
    };
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[4096];
    beast::error_code ec;
    for (;;) {
        std::size_t n = s.read_some(net::buffer(buf), ec);
        if (ec || n == 0) break;
        out.append(buf, n);
    }
    return out;
}

std::string get_from(const std::string& local, std::uint16_t port, const std::string& target) {
    net::io_context ioc;
    auto s = open_from(ioc, local, port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return read_all(*s, 5);
}

TEST_F(Hardening, SlowClientsCannotTakeEveryConnectionAndAreCutAtTheDeadline) {
    test::running_server server(store_, {}, [](server_options& o) {
        o.max_connections = 64;
        o.max_connections_per_client = 20;
        o.read_timeout = std::chrono::seconds(4);
    });
    net::io_context ioc;
    // 20 slow clients from 127.0.0.1, each with half a request line: slowloris.
    std::vector<std::unique_ptr<tcp::socket>> slow;
    for (int i = 0; i < 20; ++i) slow.push_back(open_from(ioc, "127.0.0.1", server.port(), "GET /collections HT"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // The 21st from the same address is refused at once with a JSON 503...
    auto refused = get_from("127.0.0.1", server.port(), "/collections");
    EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
    EXPECT_NE(refused.find(R"("code":"ServiceUnavailable")"), std::string::npos) << refused;
    // ...while another client is served normally.
    auto t0 = std::chrono::steady_clock::now();
    auto other = get_from("127.0.0.2", server.port(), "/collections");
    EXPECT_EQ(other.rfind("HTTP/1.1 200", 0), 0u) << other.substr(0, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));  // not after the cut
    // The slow clients are cut when the 4 s request deadline passes, freeing their places.
    for (auto& s : slow) EXPECT_EQ(read_all(*s, 10), "");  // closed without an answer
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto again = get_from("127.0.0.1", server.port(), "/collections");
    EXPECT_EQ(again.rfind("HTTP/1.1 200", 0), 0u) << again.substr(0, 200);
}

TEST_F(Hardening, DribblingBytesDoesNotExtendTheRequestDeadline) {
    test::running_server server(store_, {}, [](server_options& o) { o.read_timeout = std::chrono::seconds(2); });
    net::io_context ioc;
    auto s = open_from(ioc, "127.0.0.1", server.port(), "");
    const std::string request = "GET /collections HTTP/1.1\r\nHost: x\r\nX-Padding: ";
    auto t0 = std::chrono::steady_clock::now();
    beast::error_code ec;
    std::size_t sent = 0;
    for (; sent < 40 && !ec; ++sent) {  // one byte every 150 ms: 6 s if the server waited
        net::write(*s, net::buffer(request.substr(sent % request.size(), 1)), ec);
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        char c;
        s->non_blocking(true);
        beast::error_code rec;
        if (s->read_some(net::buffer(&c, 1), rec) == 0 && rec != net::error::would_block) break;  // closed
        s->non_blocking(false);
    }
    EXPECT_LT(sent, 40u) << "the server kept a dribbling client beyond its deadline";
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(3200));
}

TEST_F(Hardening, CorsAllowsReadsFromAnywhereButNotEditsByDefault) {
    test::running_server open(store_, [] {
        handler_options h;
        h.edit_token = "secret";
        return h;
    }());
    auto read = test::http_get(open.port(), "/collections");
    EXPECT_EQ(read.headers["Access-Control-Allow-Origin"], "*");
    auto tile = test::http_get(open.port(), "/tiles/zones/0/0/0.mvt");
    EXPECT_EQ(tile.headers["Access-Control-Allow-Origin"], "*");
    auto preflight = test::http_request_to(open.port(), "OPTIONS", "/scenarios");
    EXPECT_EQ(preflight.status, 204u);
    EXPECT_EQ(preflight.headers.count("Access-Control-Allow-Origin"), 0u);
    EXPECT_EQ(preflight.headers.count("Access-Control-Allow-Methods"), 0u);
    auto edit = test::http_request_to(open.port(), "POST", "/scenarios",
                                      {{"Authorization", "Bearer secret"}, {"Content-Type", "application/json"}},
                                      R"({"name":"cors"})");
    EXPECT_EQ(edit.status, 201u) << edit.body;
    EXPECT_EQ(edit.headers.count("Access-Control-Allow-Origin"), 0u);

    test::running_server strict(store_, [] {
        handler_options h;
        h.edit_token = "secret";
        h.cors_origin = "https://taller.example";
        h.cors_writes = true;
        return h;
    }());
    EXPECT_EQ(test::http_get(strict.port(), "/collections").headers["Access-Control-Allow-Origin"],
              "https://taller.example");
    auto pre = test::http_request_to(strict.port(), "OPTIONS", "/scenarios");
    EXPECT_EQ(pre.headers["Access-Control-Allow-Methods"], "GET, HEAD, POST");  // the path's own methods
    EXPECT_EQ(pre.headers["Access-Control-Allow-Headers"], "Authorization, Content-Type, If-Match, If-None-Match");
    auto one = test::http_request_to(strict.port(), "OPTIONS", "/scenarios/1");
    EXPECT_EQ(one.headers["Access-Control-Allow-Methods"], "GET, HEAD, PATCH, DELETE");

    test::running_server none(store_, [] {
        handler_options h;
        h.cors_origin = "";
        return h;
    }());
    EXPECT_EQ(test::http_get(none.port(), "/collections").headers.count("Access-Control-Allow-Origin"), 0u);
}

TEST_F(Hardening, KilledWhileDroppingTilesTheStoreKeepsTheLastCommittedState) {
    test::scratch dir;
    std::string store = dir.path("demo.sqlite");
    std::filesystem::copy_file(store_, store);
    // A server that SIGKILLs itself when it drops the tiles of a changed store.
    std::string log = dir.path("serve.log");
    auto started = test::run("(MICROPLAN_FAULT=tile-invalidate " +
                             microplan_cmd("serve " + store + " --port 0 --access-log off --watch-seconds 0.2") +
                             " > " + log + " 2>&1 & echo $! > " + dir.path("pid") + ")");
    ASSERT_EQ(started.exit_code, 0);
    std::string pid = test::read_bytes(dir.path("pid"));
    pid.erase(pid.find_last_not_of(" \n") + 1);
    for (int i = 0; i < 600 && test::read_bytes(log).find("microplan serving") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_NE(test::read_bytes(log).find("microplan serving"), std::string::npos) << test::read_bytes(log);
    {  // another program commits a change to the store
        geo::sqlite::connection db(store, geo::sqlite::connection::mode::read_write);
        geo::sqlite::statement(db, "UPDATE circuits SET name = 'Cambiado en el taller' WHERE fid = 1").run();
    }
    bool gone = false;
    for (int i = 0; i < 300 && !gone; ++i) {
        gone = ::kill(std::stoi(pid), 0) != 0;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(gone) << "the fault point did not fire: " << test::read_bytes(log);
    auto check = test::run("sqlite3 " + store + " 'PRAGMA integrity_check; SELECT name FROM circuits WHERE fid = 1;'");
    EXPECT_EQ(check.output, "ok\nCambiado en el taller\n");
    // Restarted, it serves the committed change.
    test::running_server again(store);
    auto item = test::http_get(again.port(), "/collections/circuits/items/1");
    EXPECT_NE(item.body.find("Cambiado en el taller"), std::string::npos) << item.body.substr(0, 300);
}

}  // namespace
}  // namespace microplan::service
