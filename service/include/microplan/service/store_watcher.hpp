#pragma once
// Keeps a server's snapshot in step with its store when other programs change it.
//
// A store file is polled (inode, size, modification time) and reloaded when it changes; a store
// that cannot be read (mid-write by another program) keeps the last snapshot and is tried again
// at the next poll.
//
// A store in PostgreSQL (issue 22) is not polled: the watcher LISTENs on the channel
// 'microplan' of its database, where every committed change of a store table is notified
// (statement triggers, and update_atomically's own notification) whoever made it: another
// replica, `microplan import`, an analyst editing in QGIS. A notification sent by this server's
// own edit session (`own_session`: the scenario book's) is its own doing and reloads nothing;
// any other reloads the snapshot, and the snapshot's diff drops exactly the tiles and pages that
// the changed features meet (store_state::replace). The connection is pinged every interval; a
// lost one marks the server unready (/health answers 503), is opened again every interval and,
// once back, reloads: what changed meanwhile was not heard.
//
// Lock order: the one order of the whole reload / edit sequence (served_store wires it):
//   check_mutex_ (one reload at a time, held across it)
//     -> the scenario book's mutex (store_state::replace -> scenario_book::rebase)
//       -> stamp_mutex_ (a leaf: held for no call out).
// A scenario edit holds the book's mutex and calls acknowledge(), which takes stamp_mutex_
// only: an edit waits at most for a rebase in progress (the book's mutex), never for a whole
// reload, and a reload never waits on a lock held by an edit that waits for the reload (the
// deadlock of issue 17: acknowledge() once took check_mutex_).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "microplan/service/request_handler.hpp"

namespace microplan::service {

class store_watcher {
public:
    // Watches the store of `state`'s snapshot every `interval` (0: no thread; check() still
    // works). `log` gets one line per reload, failure and lost or regained connection.
    // `own_session`: the database session of the server's own edits (0 or none: every change
    // is someone else's).
    store_watcher(store_state& state, std::chrono::milliseconds interval, std::function<void(const std::string&)> log,
                  std::function<int()> own_session = {});
    ~store_watcher();
    store_watcher(const store_watcher&) = delete;
    store_watcher& operator=(const store_watcher&) = delete;
    // Checks now (what the file's thread does every interval); true when a new snapshot was
    // installed. On a database store it compares the change counter (a connection of its own).
    bool check();
    // The store's current state is the server's own doing (a scenario edit, just committed):
    // no reload for it. Takes only the leaf lock; safe under the scenario book's mutex.
    void acknowledge();
    // The server is about to write the store (a scenario edit holding the store's write lock):
    // the stamp read now tells acknowledge() whether another program changed the file in place
    // since the last check (QGIS editing the SpatiaLite file, say). Such a change is then not
    // taken for the edit's own, and the next check reloads it. Leaf lock only, like acknowledge().
    void about_to_write();
    // Reloads now whatever the stamp says (the server's own edit of an establishment: read your
    // writes). Takes the reload lock: call with no lock of the scenario book held.
    void reload_now();
    // Whether a database store's LISTEN connection is up (true for a file: nothing to listen to).
    [[nodiscard]] bool listening() const noexcept { return listening_.load(); }

private:
    struct stamp {
        unsigned long long inode = 0, size = 0;
        long long mtime_ns = 0;
        bool operator==(const stamp&) const = default;
    };
    static stamp read_stamp(const std::string& path);
    // Loads and installs the store as of `now` (under check_mutex_); `why` names the change.
    bool reload(const stamp& now, const std::string& why);
    void listen(std::chrono::milliseconds interval);  // the thread of a database store
    bool wait_for_stop(std::chrono::milliseconds d);  // true when stopping

    store_state& state_;
    const std::string path_;
    const bool database_;
    std::function<void(const std::string&)> log_;
    std::function<int()> own_session_;
    std::atomic<bool> listening_;
    std::mutex check_mutex_;
    std::mutex stamp_mutex_;  // guards the three below
    stamp last_;
    std::uint64_t acknowledged_ = 0;     // acknowledge() calls so far
    std::optional<stamp> before_write_;  // the stamp about_to_write() read, until acknowledge()
    bool reload_pending_ = false;        // a change seen but not loaded (it could not be read)
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace microplan::service
