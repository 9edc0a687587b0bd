#include "microplan/service/http_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "microplan/service/error_response.hpp"

namespace microplan::service {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A response body that shares its bytes (a cached tile is sent by many connections at once).
struct shared_body {
    using value_type = std::shared_ptr<const std::string>;
    static std::uint64_t size(const value_type& v) { return v ? v->size() : 0; }

    class writer {
    public:
        using const_buffers_type = net::const_buffer;
        template <bool is_request, class Fields>
        writer(const http::header<is_request, Fields>&, const value_type& body) : body_(body) {}
        void init(beast::error_code& ec) { ec = {}; }
        boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
            ec = {};
            if (done_ || !body_ || body_->empty()) return boost::none;
            done_ = true;
            return std::make_pair(net::const_buffer(body_->data(), body_->size()), false);
        }

    private:
        const value_type& body_;
        bool done_ = false;
    };
};

using response_type = http::response<shared_body>;

std::string field(const http::request<http::string_body>& req, http::field f) {
    auto it = req.find(f);
    return it == req.end() ? std::string() : std::string(it->value());
}

}  // namespace

// One line per request, Common Log Format plus the time taken; buffered, flushed by the
// server every second and at exit.
class access_logger {
public:
    explicit access_logger(std::FILE* out) : out_(out) {}
    void log(const std::string& remote, const std::string& method, const std::string& target, unsigned status,
             std::size_t bytes, std::chrono::microseconds took) {
        if (!out_) return;
        std::time_t now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        char when[32];
        std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
        std::lock_guard lock(mutex_);
        std::fprintf(out_, "%s - - [%s] \"%s %.*s HTTP/1.1\" %u %zu %lldus\n", remote.c_str(), when, method.c_str(),
                     static_cast<int>(std::min<std::size_t>(target.size(), 2048)), target.data(), status, bytes,
                     static_cast<long long>(took.count()));
    }
    void flush() {
        if (!out_) return;
        std::lock_guard lock(mutex_);
        std::fflush(out_);
    }

private:
    std::FILE* out_;
    std::mutex mutex_;
};

class session;

struct server::impl {
    server_options options;
    request_handler_fn handler;
    net::io_context ioc;
    tcp::acceptor acceptor{net::make_strand(ioc)};
    access_logger log;
    std::mutex sessions_mutex;
    std::set<std::shared_ptr<session>> sessions;
    std::map<std::string, std::size_t> per_client;  // open connections per remote address
    bool stopping = false;
    net::steady_timer flusher{ioc};

    impl(server_options o, request_handler_fn h)
        : options(std::move(o)), handler(std::move(h)), log(options.access_log) {}
    void accept();
    void flush_log_every_second();
    void remove(const std::shared_ptr<session>& s, const std::string& remote) {
        std::lock_guard lock(sessions_mutex);
        if (sessions.erase(s))
            if (auto it = per_client.find(remote); it != per_client.end() && --it->second == 0) per_client.erase(it);
    }
};

// One connection: read a request, answer it, repeat, on the connection's strand.
class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket&& socket, server::impl& server) : stream_(std::move(socket)), server_(server) {
        beast::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        remote_ = ec ? "-" : ep.address().to_string();
    }

    void start() {
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::read, shared_from_this()));
    }

    // Over the connection limits: a 503 written without waiting (it fits the socket buffer),
    // then the socket closes; nothing is read.
    void refuse(const char* why) {
        std::string body = std::string(R"({"code":"ServiceUnavailable","message":")") + why + R"("})";
        std::string reply =
            "HTTP/1.1 503 Service Unavailable\r\nServer: microplan\r\nContent-Type: application/json\r\n"
            "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
        beast::error_code ec;
        stream_.socket().non_blocking(true, ec);
        stream_.socket().write_some(net::buffer(reply), ec);
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
        server_.log.log(remote_, "-", "-", 503, 0, std::chrono::microseconds(0));
    }

    // Called on shutdown from another thread: close now if idle, else after the response.
    void close_gracefully() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            self->closing_ = true;
            if (self->reading_) {
                beast::error_code ec;
                self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
                self->stream_.socket().close(ec);
            }
        });
    }

private:
    void read() {
        if (closing_) return finish();
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
        parser_->body_limit(server_.options.body_limit);
        stream_.expires_after(first_ ? server_.options.read_timeout : server_.options.idle_timeout);
        first_ = false;
        reading_ = true;
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (ec) return on_read(ec, 0);
        // The request has started: the read deadline applies from now on.
        stream_.expires_after(server_.options.read_timeout);
        started_ = std::chrono::steady_clock::now();
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        reading_ = false;
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout ||
            ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::bad_descriptor)
            return finish();
        if (ec) {
            // Malformed or oversized requests get an answer, then the connection closes.
            request_error refused(400, "BadRequest", "malformed HTTP request: " + ec.message());
            if (ec == http::error::body_limit)
                refused =
                    request_error(413, "PayloadTooLarge",
                                  "request body larger than " + std::to_string(server_.options.body_limit) + " bytes");
            else if (ec == http::error::header_limit)
                refused = request_error(
                    431, "RequestHeaderFieldsTooLarge",
                    "request headers larger than " + std::to_string(server_.options.header_limit) + " bytes");
            keep_alive_ = false;
            return send(as_http(to_response(refused)), "-", "-");
        }
        const auto& req = parser_->get();
        http_request request;
        request.method = std::string(req.method_string());
        request.target = std::string(req.target());
        request.host = field(req, http::field::host);
        request.accept = field(req, http::field::accept);
        request.accept_encoding = field(req, http::field::accept_encoding);
        request.if_none_match = field(req, http::field::if_none_match);
        request.if_match = field(req, http::field::if_match);
        request.content_type = field(req, http::field::content_type);
        request.authorization = field(req, http::field::authorization);
        request.body = req.body();
        request.remote = remote_;
        keep_alive_ = req.keep_alive() && !closing_;
        version_ = req.version();
        http_response r = server_.handler(request);
        send(std::move(r), request.method, request.target);
    }

    void send(http_response r, const std::string& method, const std::string& target) {
        response_ = std::make_unique<response_type>(static_cast<http::status>(r.status), version_ ? version_ : 11);
        response_->set(http::field::server, "microplan");
        response_->set(http::field::content_type, r.content_type);
        for (auto& [name, value] : r.headers) response_->set(name, value);
        bool head = method == "HEAD";
        std::size_t length = r.body ? r.body->size() : 0;
        response_->body() = head ? nullptr : std::move(r.body);
        response_->content_length(length);
        response_->keep_alive(keep_alive_);
        server_.log.log(
            remote_, method, target, r.status, head ? 0 : length,
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_));
        stream_.expires_after(server_.options.write_timeout);
        http::async_write(stream_, *response_, beast::bind_front_handler(&session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        response_.reset();
        if (ec || !keep_alive_ || closing_) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return finish();
        }
        read();
    }

    void finish() {
        beast::error_code ec;
        stream_.socket().close(ec);
        server_.remove(shared_from_this(), remote_);
    }

public:
    [[nodiscard]] const std::string& remote() const noexcept { return remote_; }

private:
    beast::tcp_stream stream_;
    server::impl& server_;
    beast::flat_buffer buffer_{64 * 1024};
    std::optional<http::request_parser<http::string_body>> parser_;
    std::unique_ptr<response_type> response_;
    std::string remote_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool reading_ = false;
    bool closing_ = false;
    bool first_ = true;
};

void server::impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
            return accept();  // e.g. too many open files: keep serving the others
        }
        auto s = std::make_shared<session>(std::move(socket), *this);
        const char* refused = nullptr;
        {
            std::lock_guard lock(sessions_mutex);
            if (stopping) return;
            std::size_t& mine = per_client[s->remote()];
            if (sessions.size() >= options.max_connections)
                refused = "too many connections";
            else if (mine >= options.max_connections_per_client)
                refused = "too many connections from this address";
            else
                sessions.insert(s), ++mine;
            if (refused && mine == 0) per_client.erase(s->remote());
        }
        if (refused)
            s->refuse(refused);
        else
            s->start();
        accept();
    });
}

void server::impl::flush_log_every_second() {
    flusher.expires_after(std::chrono::seconds(1));
    flusher.async_wait([this](beast::error_code ec) {
        log.flush();
        if (!ec) flush_log_every_second();
    });
}

server::server(server_options options, request_handler_fn handler)
    : impl_(std::make_unique<impl>(std::move(options), std::move(handler))) {
    // Room for the connection limits: the soft open-file limit up to the hard one.
    if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
    beast::error_code ec;
    auto address = net::ip::make_address(impl_->options.bind, ec);
    if (ec) throw std::runtime_error("cannot listen on '" + impl_->options.bind + "': not an IP address");
    tcp::endpoint ep{address, impl_->options.port};
    auto fail = [&](const char* what) {
        throw std::runtime_error(std::string("cannot listen on ") + impl_->options.bind + ":" +
                                 std::to_string(impl_->options.port) + ": " + what + ": " + ec.message());
    };
    impl_->acceptor.open(ep.protocol(), ec);
    if (ec) fail("open");
    impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    impl_->acceptor.bind(ep, ec);
    if (ec) fail("bind");
    impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) fail("listen");
}

server::~server() = default;

std::uint16_t server::port() const noexcept {
    beast::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void server::run() {
    impl_->accept();
    impl_->flush_log_every_second();
    unsigned n = impl_->options.threads ? impl_->options.threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> workers;
    for (unsigned i = 1; i < n; ++i) workers.emplace_back([this] { impl_->ioc.run(); });
    impl_->ioc.run();
    for (auto& w : workers) w.join();
    impl_->log.flush();
}

namespace {

// The write end of the pipe the stop signals are reported on; -1 while none is installed.
std::atomic<int> stop_signal_pipe{-1};
static_assert(std::atomic<int>::is_always_lock_free, "read in a signal handler");

extern "C" void report_stop_signal(int signal_number) {
    const int saved = errno;
    if (const int fd = stop_signal_pipe.load(); fd >= 0) {
        const auto byte = static_cast<unsigned char>(signal_number);
        [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
    }
    errno = saved;
}

const char* signal_name(int signal_number) { return signal_number == SIGINT ? "SIGINT" : "SIGTERM"; }

// SIGINT and SIGTERM reported on a pipe while this lives (the handler does nothing else, so it
// is async-signal-safe and works whichever thread the signal lands on); the previous
// handlers come back afterwards.
class stop_signals {
public:
    stop_signals() {
        if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("cannot create the signal pipe");
        stop_signal_pipe = fds_[1];
        struct sigaction action {};
        action.sa_handler = report_stop_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &action, &old_int_);
        ::sigaction(SIGTERM, &action, &old_term_);
    }
    ~stop_signals() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
        stop_signal_pipe = -1;
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    stop_signals(const stop_signals&) = delete;
    stop_signals& operator=(const stop_signals&) = delete;

    // The next signal's number, 0 once finished() was called, -1 when `timeout` passes first.
    int wait(std::optional<std::chrono::milliseconds> timeout) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(std::chrono::milliseconds(0));
        for (;;) {
            int wait_ms = -1;
            if (timeout) {
                auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
                if (left.count() <= 0) return -1;
                wait_ms = static_cast<int>(std::min<long long>(left.count(), 60'000));
            }
            pollfd p{fds_[0], POLLIN, 0};
            int ready = ::poll(&p, 1, wait_ms);
            if (ready < 0 && errno != EINTR) return -1;
            if (ready <= 0) continue;
            unsigned char byte = 0;
            if (::read(fds_[0], &byte, 1) == 1) return byte;
        }
    }
    // Wakes wait() with 0: the server has stopped.
    void finished() const {
        const unsigned char zero = 0;
        [[maybe_unused]] ssize_t n = ::write(fds_[1], &zero, 1);
    }

private:
    int fds_[2] = {-1, -1};
    struct sigaction old_int_ {
    }, old_term_{};
};

}  // namespace

void server::run_until_signalled() {
    stop_signals signals;
    // Not an io thread: a request stuck in its handler must not keep the signal from being seen.
    std::thread stopper([this, &signals] {
        const int first = signals.wait(std::nullopt);
        if (first <= 0) return;  // run() ended on its own
        const double grace = std::chrono::duration<double>(impl_->options.stop_grace).count();
        std::fprintf(stderr, "microplan serve: %s: stopping; requests in flight have %g s to finish\n",
                     signal_name(first), grace);
        stop();
        const int next = signals.wait(impl_->options.stop_grace);
        if (next == 0) return;  // every connection ended in time
        if (next < 0)
            std::fprintf(stderr,
                         "microplan serve: requests still running %g s after %s (a handler that does not return): "
                         "exiting without waiting for them\n",
                         grace, signal_name(first));
        else
            std::fprintf(stderr,
                         "microplan serve: second signal (%s): exiting without waiting for the requests in "
                         "flight\n",
                         signal_name(next));
        impl_->log.flush();
        std::_Exit(1);
    });
    run();
    signals.finished();
    stopper.join();
}

void server::stop() {
    net::post(impl_->acceptor.get_executor(), [this] {
        beast::error_code ec;
        impl_->acceptor.close(ec);
        impl_->flusher.cancel();
        std::vector<std::shared_ptr<session>> open;
        {
            std::lock_guard lock(impl_->sessions_mutex);
            impl_->stopping = true;
            open.assign(impl_->sessions.begin(), impl_->sessions.end());
        }
        for (auto& s : open) s->close_gracefully();
    });
}

}  // namespace microplan::service
