#include "microplan/geo/store/write_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "microplan/geo/core/postgres.hpp"

namespace microplan::geo::store {

namespace fs = std::filesystem;

namespace {

error_location at(const std::string& path) { return error_location{path, {}, {}, {}, {}}; }

// The targets locked by each thread of this process, to catch a thread waiting for itself.
std::mutex held_mutex;
std::set<std::pair<std::thread::id, std::string>> held;

// Marks `target` as held by this thread (a second lock of it would wait for itself).
void hold(const std::string& location, const std::string& target) {
    std::lock_guard guard(held_mutex);
    bool fresh = held.emplace(std::this_thread::get_id(), target).second;
    assert(fresh && "this thread already holds the write lock of this store");
    if (!fresh) throw store_error(at(location), "write lock", "this thread already holds the store's write lock");
}
void release(const std::string& target) {
    std::lock_guard guard(held_mutex);
    held.erase({std::this_thread::get_id(), target});
}

// The pid the holder wrote into the lock file, or "" while it is being written.
std::string holder_pid(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return {};
    std::string pid(buf, static_cast<std::size_t>(n));
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid;
}

void write_own_pid(int fd) {
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        // Only for the waiting message: a failed write costs the pid in it, nothing else.
        [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
    }
}

std::string seconds_text(std::chrono::milliseconds wait) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(wait.count()) / 1000.0);
    return buf;
}

}  // namespace

std::string resolve_store_target(const std::string& location) {
    fs::path p(location);
    std::error_code ec;
    // Bounded like the kernel's own limit on nested links (a loop ends here, then fails to open).
    for (int depth = 0; depth < 40 && fs::is_symlink(p, ec); ++depth) {
        fs::path next = fs::read_symlink(p, ec);
        if (ec) break;
        p = next.is_absolute() ? next : p.parent_path() / next;
    }
    return p.lexically_normal().string();
}

std::chrono::milliseconds write_lock::writer_wait() {
    const char* text = std::getenv("MICROPLAN_LOCK_WAIT");
    if (text && *text) {
        char* end = nullptr;
        double seconds = std::strtod(text, &end);
        if (end && *end == '\0' && std::isfinite(seconds) && seconds >= 0 && seconds <= 86400)
            return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
        std::fprintf(stderr, "microplan: MICROPLAN_LOCK_WAIT='%s' is not a number of seconds (0 to 86400); using 120\n",
                     text);
    }
    return std::chrono::seconds(120);
}

write_lock::write_lock(const std::string& location, std::chrono::milliseconds wait)
    : location_(location), target_(resolve_store_target(location)) {
    hold(location_, target_);
    if (postgres::is_uri(location_)) {
        try {
            lock_database(wait);
        } catch (...) {
            release(target_);
            throw;
        }
        return;
    }
    const std::string lock_file = target_ + ".lock";
    try {
        fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            fs::path folder = fs::path(target_).parent_path();
            if (!folder.empty() && !fs::is_directory(folder))
                throw store_error(at(location_), "cannot create the planning store",
                                  "folder '" + folder.string() + "' does not exist");
            throw store_error(at(location_), "cannot lock the planning store for writing",
                              "cannot open '" + lock_file + "': " + std::strerror(errno));
        }
        const auto deadline = std::chrono::steady_clock::now() + wait;
        bool told = false;
        while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            if (errno == EINTR) continue;
            if (errno != EWOULDBLOCK)
                throw store_error(at(location_), "cannot lock the planning store for writing",
                                  "flock '" + lock_file + "': " + std::strerror(errno));
            std::string pid = holder_pid(fd_);
            if (std::chrono::steady_clock::now() >= deadline)
                throw store_busy(at(location_), "another writer holds the planning store",
                                 "gave up after " + seconds_text(wait) + " s waiting for " +
                                     (pid.empty() ? std::string("it") : "pid " + pid) + " (lock file " + lock_file +
                                     "); nothing was written: try again when it has finished, or wait longer with "
                                     "MICROPLAN_LOCK_WAIT=<seconds>");
            if (!told) {
                std::fprintf(stderr, "microplan: waiting for another writer of %s (pid %s)...\n", location_.c_str(),
                             pid.empty() ? "unknown" : pid.c_str());
                told = true;
            }
            // Polling keeps the wait bounded without signals; 20 ms is invisible next to a write.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        write_own_pid(fd_);
    } catch (...) {
        if (fd_ >= 0) ::close(fd_);
        release(target_);
        throw;
    }
}

// The advisory lock key of microplan's writers in a database ("mplanwrl").
constexpr std::int64_t advisory_key = 0x6d706c616e77726c;

write_lock::write_lock(postgres::connection& session, const std::string& location, std::chrono::milliseconds wait)
    : location_(location), target_(location), session_(&session) {
    hold(location_, target_);
    try {
        lock_database(wait);
    } catch (...) {
        session_ = nullptr;
        release(target_);
        throw;
    }
}

void write_lock::lock_database(std::chrono::milliseconds wait) {
    if (!session_) {
        database_ = std::make_unique<postgres::connection>(location_);
        session_ = database_.get();
    }
    postgres::connection& db = *session_;
    const std::string shown = db.path();  // without the password
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool told = false;
    for (;;) {
        sql::statement q(db, "SELECT pg_try_advisory_lock(?)");
        q.bind(1, advisory_key);
        if (q.step() && q.integer(0) == 1) return;
        sql::statement who(db,
                           "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = ? LIMIT 1");
        who.bind(1, advisory_key & 0xffffffff);
        const std::string pid = who.step() ? who.text(0) : "";
        if (std::chrono::steady_clock::now() >= deadline)
            throw store_busy(at(shown), "another writer holds the planning store",
                             "gave up after " + seconds_text(wait) + " s waiting for " +
                                 (pid.empty() ? std::string("it") : "database backend pid " + pid) +
                                 " (an advisory lock); nothing was written: try again when it has finished, or wait "
                                 "longer with MICROPLAN_LOCK_WAIT=<seconds>");
        if (!told) {
            std::fprintf(stderr, "microplan: waiting for another writer of %s (database backend pid %s)...\n",
                         shown.c_str(), pid.empty() ? "unknown" : pid.c_str());
            told = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

write_lock::write_lock(write_lock&& other) noexcept
    : location_(std::move(other.location_)),
      target_(std::move(other.target_)),
      fd_(other.fd_),
      database_(std::move(other.database_)),
      session_(other.session_) {
    other.fd_ = -1;
    other.session_ = nullptr;
}

write_lock::~write_lock() {
    if (fd_ < 0 && !session_) return;
    // Closing the last descriptor of the open file description releases the flock; ending the
    // database session releases the advisory lock, and a borrowed session unlocks it.
    if (fd_ >= 0) ::close(fd_);
    if (session_ && !database_) try {
            sql::statement q(*session_, "SELECT pg_advisory_unlock(?)");
            q.bind(1, advisory_key);
            q.step();
        } catch (const std::exception&) {  // a lost session has dropped the lock with itself
        }
    database_.reset();
    release(target_);
}

}  // namespace microplan::geo::store
