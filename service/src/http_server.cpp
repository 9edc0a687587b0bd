#include "microplan/service/http_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
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

std::string field(const http::request<http::string_body>& req, http::field f) {
    auto it = req.find(f);
    return it == req.end() ? std::string() : std::string(it->value());
}

// A header value as sent: CR and LF would end the header (response splitting), so they become spaces.
void append_header_value(std::string& out, std::string_view value) {
    if (value.find_first_of("\r\n") == std::string_view::npos) {
        out.append(value.data(), value.size());
        return;
    }
    for (char c : value) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
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
    [[nodiscard]] bool enabled() const noexcept { return out_ != nullptr; }

private:
    std::FILE* out_;
    std::mutex mutex_;
};

class session;
// A socket bound to its io_context's own executor type (no polymorphic executor per operation).
using socket_type = tcp::socket::rebind_executor<net::io_context::executor_type>::other;

// One io_context per io thread, run by that thread only: a connection lives on one of them
// from accept to close, so its handlers need no strand and the threads share no lock while
// serving. Deadlines are checked by a sweep every quarter second instead of a timer per read
// and write.
struct io_worker {
    net::io_context ioc{1};
    net::steady_timer sweeper{ioc};
    std::vector<session*> sessions;  // touched only on this worker's thread
};

struct server::impl {
    server_options options;
    request_handler_fn handler;
    request_quick_fn quick;
    std::vector<std::unique_ptr<io_worker>> workers;
    std::size_t next_worker = 0;
    net::io_context& ioc;  // the first worker's: the listener, the log flusher, stop()
    tcp::acceptor acceptor{ioc};
    net::thread_pool blocking;  // requests that are not quick (reports, edits, ...)
    access_logger log;
    std::mutex sessions_mutex;
    std::set<std::shared_ptr<session>> sessions;
    std::map<std::string, std::size_t> per_client;  // open connections per remote address
    bool stopping = false;
    net::steady_timer flusher{ioc};
    std::atomic<bool> halted{false};  // stop() was called: the periodic timers do not start again

    static unsigned thread_count(unsigned threads) {
        return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    }
    static std::vector<std::unique_ptr<io_worker>> make_workers(unsigned n) {
        std::vector<std::unique_ptr<io_worker>> w;
        for (unsigned i = 0; i < n; ++i) w.push_back(std::make_unique<io_worker>());
        return w;
    }
    impl(server_options o, request_handler_fn h, request_quick_fn q)
        : options(std::move(o)),
          handler(std::move(h)),
          quick(std::move(q)),
          workers(make_workers(thread_count(options.threads))),
          ioc(workers.front()->ioc),
          blocking(thread_count(options.threads)),
          log(options.access_log) {}
    void accept();
    void flush_log_every_second();
    void sweep(io_worker& w);
    void remove(const std::shared_ptr<session>& s, const std::string& remote) {
        std::lock_guard lock(sessions_mutex);
        if (sessions.erase(s))
            if (auto it = per_client.find(remote); it != per_client.end() && --it->second == 0) per_client.erase(it);
    }
};

// One connection: read a request, answer it, repeat, on its worker's thread. A quick request
// is answered there; any other runs on the blocking pool and its answer comes back to the
// worker, so a long report holds no connection but its own.
class session : public std::enable_shared_from_this<session> {
public:
    using clock = std::chrono::steady_clock;

    session(socket_type&& socket, server::impl& server, io_worker& worker)
        : socket_(std::move(socket)), server_(server), worker_(worker) {
        beast::error_code ec;
        auto ep = socket_.remote_endpoint(ec);
        remote_ = ec ? "-" : ep.address().to_string();
        socket_.set_option(tcp::no_delay(true), ec);
    }

    void start() {
        net::dispatch(worker_.ioc, [self = shared_from_this()] {
            self->worker_.sessions.push_back(self.get());
            self->read();
        });
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
        socket_.non_blocking(true, ec);
        socket_.write_some(net::buffer(reply), ec);
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        server_.log.log(remote_, "-", "-", 503, 0, std::chrono::microseconds(0));
    }

    // Called on shutdown from another thread: close now if idle, else after the response.
    void close_gracefully() {
        net::post(worker_.ioc, [self = shared_from_this()] {
            self->closing_ = true;
            if (self->reading_) self->close_socket();
        });
    }

    // The sweep (on this worker's thread): a connection past its deadline is closed; its
    // pending read or write then ends with operation_aborted.
    void expire_if_late(clock::time_point now) {
        if (deadline_ && now >= *deadline_) {
            deadline_.reset();
            close_socket();
        }
    }

private:
    void close_socket() {
        beast::error_code ec;
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
    }

    void read() {
        if (closing_) return finish();
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
        parser_->body_limit(server_.options.body_limit);
        deadline_ = clock::now() + (first_ ? server_.options.read_timeout : server_.options.idle_timeout);
        first_ = false;
        reading_ = true;
        http::async_read_header(
            socket_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) return on_read(ec);
        // The request has started: the read deadline applies from now on.
        started_ = clock::now();
        deadline_ = started_ + server_.options.read_timeout;
        if (parser_->is_done()) return on_read({});  // no body: answer at once
        http::async_read(socket_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
    }

    void on_read(beast::error_code ec) {
        reading_ = false;
        deadline_.reset();
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::bad_descriptor ||
            !socket_.is_open())
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
        auto& req = parser_->get();
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
        request.body = std::move(req.body());
        request.remote = remote_;
        keep_alive_ = req.keep_alive() && !closing_;
        version_ = req.version();
        if (!server_.quick || server_.quick(request)) {
            http_response r = server_.handler(request);
            return send(std::move(r), request.method, request.target);
        }
        on_pool(std::make_shared<const http_request>(std::move(request)));
    }

    // A request that is not quick: answered on the blocking pool, sent from this worker. The
    // worker is kept running meanwhile: its run() must not return before the answer.
    void on_pool(std::shared_ptr<const http_request> request) {
        net::post(server_.blocking, [self = shared_from_this(), request, work = net::make_work_guard(worker_.ioc)] {
            auto r = std::make_shared<http_response>(self->server_.handler(*request));
            net::post(self->worker_.ioc,
                      [self, request, r] { self->send(std::move(*r), request->method, request->target); });
        });
    }

    // The status line and headers written once into head_ (its capacity kept between
    // requests), sent with the shared body in one gathered write.
    void send(http_response r, const std::string& method, const std::string& target) {
        const bool head = method == "HEAD";
        const std::size_t length = r.body ? r.body->size() : 0;
        head_.clear();
        head_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
        head_ += std::to_string(r.status);
        head_ += ' ';
        const auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
        head_.append(reason.data(), reason.size());
        head_ += "\r\nServer: microplan\r\nContent-Type: ";
        append_header_value(head_, r.content_type);
        for (const auto& [name, value] : r.headers) {
            head_ += "\r\n";
            append_header_value(head_, name);
            head_ += ": ";
            append_header_value(head_, value);
        }
        head_ += "\r\nContent-Length: ";
        head_ += std::to_string(length);
        if (!keep_alive_)
            head_ += "\r\nConnection: close";
        else if (version_ == 10)
            head_ += "\r\nConnection: keep-alive";
        head_ += "\r\n\r\n";
        body_ = head ? nullptr : std::move(r.body);
        if (server_.log.enabled())
            server_.log.log(remote_, method, target, r.status, head ? 0 : length,
                            std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started_));
        deadline_ = clock::now() + server_.options.write_timeout;
        std::array<net::const_buffer, 2> buffers{net::buffer(head_), body_ ? net::buffer(*body_) : net::const_buffer()};
        net::async_write(socket_, buffers,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        body_.reset();
        deadline_.reset();
        if (ec || !keep_alive_ || closing_) {
            beast::error_code ignored;
            socket_.shutdown(tcp::socket::shutdown_send, ignored);
            return finish();
        }
        read();
    }

    void finish() {
        beast::error_code ec;
        socket_.close(ec);
        auto& list = worker_.sessions;
        if (auto it = std::find(list.begin(), list.end(), this); it != list.end()) {
            *it = list.back();
            list.pop_back();
        }
        server_.remove(shared_from_this(), remote_);
    }

public:
    [[nodiscard]] const std::string& remote() const noexcept { return remote_; }

private:
    socket_type socket_;
    server::impl& server_;
    io_worker& worker_;
    beast::flat_buffer buffer_{64 * 1024};
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string head_;
    std::shared_ptr<const std::string> body_;
    std::string remote_;
    clock::time_point started_ = clock::now();
    std::optional<clock::time_point> deadline_;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool reading_ = false;
    bool closing_ = false;
    bool first_ = true;
};

void server::impl::accept() {
    io_worker& target = *workers[next_worker++ % workers.size()];
    acceptor.async_accept(target.ioc, [this, &target](beast::error_code ec, socket_type socket) {
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
            return accept();  // e.g. too many open files: keep serving the others
        }
        auto s = std::make_shared<session>(std::move(socket), *this, target);
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

void server::impl::sweep(io_worker& w) {
    w.sweeper.expires_after(std::chrono::milliseconds(250));
    w.sweeper.async_wait([this, &w](beast::error_code ec) {
        if (ec || halted) return;
        const auto now = session::clock::now();
        const std::vector<session*> open = w.sessions;  // closing may remove from the list
        for (session* s : open) s->expire_if_late(now);
        sweep(w);
    });
}

void server::impl::flush_log_every_second() {
    flusher.expires_after(std::chrono::seconds(1));
    flusher.async_wait([this](beast::error_code ec) {
        log.flush();
        if (!ec && !halted) flush_log_every_second();
    });
}

server::server(server_options options, request_handler_fn handler, request_quick_fn quick)
    : impl_(std::make_unique<impl>(std::move(options), std::move(handler), std::move(quick))) {
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
    for (auto& w : impl_->workers) impl_->sweep(*w);
    // Each worker's sweep keeps its context running until stop().
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->workers.size(); ++i)
        threads.emplace_back([this, i] { impl_->workers[i]->ioc.run(); });
    impl_->ioc.run();
    for (auto& t : threads) t.join();
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
        impl_->halted = true;
        impl_->flusher.cancel();
        for (auto& w : impl_->workers) net::post(w->ioc, [&w] { w->sweeper.cancel(); });
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
