#include "microplan/service/store_watcher.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <set>

#include "microplan/geo/core/postgres.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::service {

namespace {
// A database store's stamp: its change counter (inode 1 = the database answered).
constexpr unsigned long long answered = 1;
}  // namespace

store_watcher::stamp store_watcher::read_stamp(const std::string& path) {
    // A store in a database: its change counter, moved by every committed write (store/
    // planning_store.hpp, change_counter); a database that does not answer reads as missing.
    if (geo::postgres::is_uri(path)) {
        try {
            const auto changes = geo::store::change_counter(path);
            return {answered, changes ? static_cast<unsigned long long>(*changes) : 0, 0};
        } catch (const std::exception&) {
            return {};
        }
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {static_cast<unsigned long long>(st.st_ino), static_cast<unsigned long long>(st.st_size),
            static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

store_watcher::store_watcher(store_state& state, std::chrono::milliseconds interval,
                             std::function<void(const std::string&)> log, std::function<int()> own_session)
    : state_(state),
      path_(state.current()->store_path()),
      database_(geo::postgres::is_uri(path_)),
      log_(std::move(log)),
      own_session_(std::move(own_session)),
      listening_(!database_),
      last_(read_stamp(path_)) {
    if (interval.count() <= 0) return;
    if (database_) {
        thread_ = std::thread([this, interval] { listen(interval); });
        return;
    }
    thread_ = std::thread([this, interval] {
        while (!wait_for_stop(interval)) check();
    });
}

store_watcher::~store_watcher() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool store_watcher::wait_for_stop(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, d, [this] { return stop_; });
}

void store_watcher::acknowledge() {
    // A database store hears its own edits by their session (listen()): no stamp to read, and
    // no connection opened per edit.
    const stamp now = database_ ? stamp{} : read_stamp(path_);  // outside the lock: a system call
    std::lock_guard lock(stamp_mutex_);
    // The server edits in place (same file); another program's write is a rename (a new file),
    // or a change in place seen before the edit wrote. An edit made just after either must not
    // hide it: the next check reloads it.
    const bool unchanged_before = !before_write_ || *before_write_ == last_;
    if (!database_ && now.inode == last_.inode && unchanged_before) last_ = now;
    before_write_.reset();
    ++acknowledged_;
}

void store_watcher::about_to_write() {
    if (database_) return;                // a database store hears its own edits by their session
    const stamp now = read_stamp(path_);  // outside the lock: a system call
    std::lock_guard lock(stamp_mutex_);
    before_write_ = now;
}

bool store_watcher::check() {
    std::lock_guard reloading(check_mutex_);
    const stamp now = read_stamp(path_);
    {
        std::lock_guard lock(stamp_mutex_);
        if ((now == last_ && !reload_pending_) || now.inode == 0) return false;
    }
    return reload(now, "");
}

void store_watcher::reload_now() {
    std::lock_guard reloading(check_mutex_);
    reload(read_stamp(path_), "an edit of this server");
}

bool store_watcher::reload(const stamp& now, const std::string& why) {
    std::uint64_t acknowledged_before = 0;
    {
        std::lock_guard lock(stamp_mutex_);
        acknowledged_before = acknowledged_;
    }
    const std::string changed = why.empty() ? "store changed" : "store changed (" + why + ")";
    try {
        auto current = state_.current();
        auto next = snapshot::load(path_, current->generation() + 1);
        std::size_t dropped = state_.replace(next);  // takes the scenario book's mutex (rebase)
        {
            std::lock_guard lock(stamp_mutex_);
            reload_pending_ = false;
            // An edit acknowledged meanwhile left a newer stamp of its own write, which the
            // rebase read or follows: keep it rather than reload again for it.
            if (database_ || acknowledged_ == acknowledged_before) last_ = now;
        }
        if (log_)
            log_(changed + ": reloaded in " + std::to_string(next->load_seconds()) + " s, " + std::to_string(dropped) +
                 " cached tiles dropped");
        return true;
    } catch (const std::exception& e) {
        {
            std::lock_guard lock(stamp_mutex_);
            reload_pending_ = true;  // even if an edit acknowledges a newer stamp meanwhile
        }
        if (log_) log_(changed + " but cannot be read yet (keeping the last version): " + e.what());
        return false;
    }
}

// The thread of a database store: LISTEN, reload on what others changed, ping, reconnect.
void store_watcher::listen(std::chrono::milliseconds interval) {
    using clock = std::chrono::steady_clock;
    const auto slice = std::min(interval, std::chrono::milliseconds(100));  // how soon a stop is seen
    std::unique_ptr<geo::postgres::connection> db;
    bool told_lost = false;  // the connection was lost (or never made): reload once back
    auto next_ping = clock::now() + interval;
    auto counter = [&] {
        const auto changes = geo::store::change_counter(*db);
        return stamp{answered, changes ? static_cast<unsigned long long>(*changes) : 0, 0};
    };
    while (!wait_for_stop(std::chrono::milliseconds(0))) {
        try {
            if (!db) {
                db = std::make_unique<geo::postgres::connection>(path_);
                db->exec("SET application_name = 'microplan listen'");
                db->listen("microplan");
                const stamp now = counter();  // after LISTEN: a change from here on is heard
                listening_ = true;
                state_.set_unready("");
                if (told_lost && log_) log_("listening to the store's database again");
                bool behind = false;
                {
                    std::lock_guard lock(stamp_mutex_);
                    behind = told_lost || now != last_ || reload_pending_;
                }
                told_lost = false;
                if (behind) {
                    std::lock_guard reloading(check_mutex_);
                    reload(now, "while not listening");
                }
            }
            std::set<std::string> tables;
            std::set<int> senders;
            const auto heard = db->wait_for_notifications(slice);
            // Read after the wait: the book's first edit opens its session while we wait.
            const int own = own_session_ ? own_session_() : 0;
            for (const auto& n : heard)
                if (n.sender != own) {
                    tables.insert(n.payload);
                    senders.insert(n.sender);
                }
            bool pending = false;
            {
                std::lock_guard lock(stamp_mutex_);
                pending = reload_pending_;
            }
            if (!tables.empty() || (pending && clock::now() >= next_ping)) {
                std::string why;
                for (const auto& t : tables) why += (why.empty() ? "" : ", ") + t;
                for (int pid : senders)
                    why += (why.find(" by") == std::string::npos ? " by backend " : ", ") + std::to_string(pid);
                const stamp now = counter();
                std::lock_guard reloading(check_mutex_);
                reload(now, why);
            }
            if (clock::now() >= next_ping) {
                db->exec("SELECT 1");  // a silent loss (a killed session) shows here
                next_ping = clock::now() + interval;
            }
        } catch (const std::exception& e) {
            db.reset();
            listening_ = false;
            state_.set_unready(std::string("not listening to the store's database: ") + e.what());
            if (!told_lost && log_)
                log_(std::string("lost the store's database (serving the last version, trying again every ") +
                     std::to_string(interval.count()) + " ms): " + e.what());
            told_lost = true;
            if (wait_for_stop(interval)) return;
        }
    }
}

}  // namespace microplan::service
