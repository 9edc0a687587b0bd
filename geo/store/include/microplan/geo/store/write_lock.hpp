#pragma once
// The exclusive right to write one planning store (docs/store.md, "One writer at a time").
//
// Every writer of a store holds its write_lock from the moment it reads what it will write
// until its change is committed (the rename of an atomic update, the commit of an in-place
// scenario edit), so every write sees the latest committed store and no two writers can both
// succeed while one result is lost. Readers take no lock: a rename never shows them half a store.
//
// The lock is an flock(2) on the sidecar file "<target>.lock", where <target> is the store file
// with symbolic links followed. Not the store itself: an atomic update replaces the store by a
// rename, so a lock on the old file would not exclude a writer that opens the new one, and SQLite
// owns the POSIX record locks of the store file (closing any descriptor of it drops a process's
// fcntl locks). flock locks belong to one open file description: two write_locks exclude each
// other across threads of one process too, and the kernel drops the lock of a process that dies
// (no stale locks). The sidecar is never removed: removing it would let two writers lock two
// different files.
//
// A store in PostgreSQL (a postgresql:// location, issue 22) is locked the same way with a
// session advisory lock of its database, held on a connection of the write_lock's own: the
// server drops it when that connection ends, so a killed writer leaves no stale lock either.
//
// Thread safety: a write_lock is owned by one thread; locks of the same store taken from
// different threads exclude each other. Taking a second lock of a store in the thread that holds
// one is a programming error (it would wait for itself) and asserts.
#include <chrono>
#include <memory>
#include <string>

#include "microplan/geo/error.hpp"

namespace microplan::geo::postgres {
class connection;
}

namespace microplan::geo::store {

// Another writer held the store longer than this one would wait: nothing was written; try again.
class store_busy : public store_error {
    using store_error::store_error;
};

class write_lock {
public:
    // Waits for the other writer of `location`, printing once on stderr "microplan: waiting for
    // another writer of <location> (pid N)...", at most `wait`; throws store_busy when it gives
    // up and store_error when the lock file cannot be made (a missing folder).
    explicit write_lock(const std::string& location, std::chrono::milliseconds wait = writer_wait());
    // The lock of the database store `location` taken on `session`, a connection of the caller's
    // kept between writes (the server's edits): released, not closed, at destruction.
    write_lock(postgres::connection& session, const std::string& location, std::chrono::milliseconds wait);
    ~write_lock();
    write_lock(write_lock&& other) noexcept;
    write_lock& operator=(write_lock&&) = delete;
    write_lock(const write_lock&) = delete;
    write_lock& operator=(const write_lock&) = delete;

    // The location as given (for messages).
    [[nodiscard]] const std::string& location() const noexcept { return location_; }
    // The file written: `location` with symbolic links followed (a store given as a link is
    // written through it and stays a link).
    [[nodiscard]] const std::string& target() const noexcept { return target_; }

    // The connection holding the lock of a database store (nullptr for a file): writes made on
    // it are made under the lock.
    [[nodiscard]] postgres::connection* session() const noexcept { return session_; }

    // How long a writer waits for another: MICROPLAN_LOCK_WAIT seconds (default 120).
    static std::chrono::milliseconds writer_wait();

private:
    void lock_database(std::chrono::milliseconds wait);

    std::string location_, target_;
    int fd_ = -1;
    std::unique_ptr<postgres::connection> database_;  // holding the advisory lock (PostgreSQL stores)
    postgres::connection* session_ = nullptr;         // database_, or the caller's connection
};

// `location` with every symbolic link of its last component followed (relative targets taken
// from the link's folder); `location` itself when it is no link or does not exist.
std::string resolve_store_target(const std::string& location);

}  // namespace microplan::geo::store
