#pragma once
// PostgreSQL connections through libpq (issue 22): the scaled-out engine of sql::connection.
// Statements are written with `?` placeholders as for SQLite and sent as $1, $2, ...; values go
// as text (blobs in binary) and come back as text, bytea decoded. Not thread-safe: one connection
// per thread.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "microplan/geo/core/sql.hpp"

namespace microplan::geo::postgres {

// Whether `location` names a PostgreSQL database rather than a file: a URI postgresql://… or
// postgres://…, or libpq's key=value form (`host=… dbname=…`).
bool is_uri(std::string_view location);

// `uri` without its password, for messages and logs.
std::string redacted(std::string_view uri);

// `sql` with each `?` outside quotes numbered $1, $2, ... (PostgreSQL's placeholders).
std::string numbered_placeholders(std::string_view sql);

// The store's SQL is written once, in the SQLite dialect; PostgreSQL gets it with the few
// differences of that subset translated (every statement given to exec and prepare):
//   - in CREATE TABLE and ALTER TABLE: an INTEGER PRIMARY KEY (AUTOINCREMENT or not) becomes a
//     BIGINT identity key, INTEGER BIGINT, REAL DOUBLE PRECISION, BLOB BYTEA;
//   - INSERT OR IGNORE INTO ... becomes INSERT INTO ... ON CONFLICT DO NOTHING;
//   - ORDER BY rowid becomes ORDER BY ctid (insertion order of tables only ever appended to).
// What differs beyond that (geometry columns, upserts with a key, catalogue queries) the store
// writes per dialect (sql::connection::dialect()).
std::string translate(std::string_view sqlite_sql);

class connection final : public sql::connection {
public:
    // Connects with libpq's own syntax (the password from PGPASSWORD or ~/.pgpass, never the
    // command line). Throws store_error naming the redacted URI and libpq's message.
    explicit connection(const std::string& uri);
    ~connection() override;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void exec(std::string_view sql) override;
    [[nodiscard]] std::unique_ptr<sql::statement_impl> prepare(std::string_view sql) override;
    [[nodiscard]] bool has_table(const std::string& name) override;
    [[nodiscard]] bool has_column(const std::string& table, const std::string& column) override;
    [[nodiscard]] std::int64_t last_insert_id() override;
    [[nodiscard]] std::int64_t changes() override { return changes_; }
    [[nodiscard]] const std::string& path() const noexcept override { return location_; }
    [[nodiscard]] std::string describe_error(std::string_view what) const override;
    [[nodiscard]] sql::dialect dialect() const noexcept override { return sql::dialect::postgres; }

    // A NOTIFY received on a channel this connection LISTENs on: the channel, its payload and
    // the server process (backend pid) of the session that sent it.
    struct notification {
        std::string channel, payload;
        int sender = 0;
    };
    // LISTEN on `channel` (an identifier: letters, digits and '_').
    void listen(const std::string& channel);
    // Waits at most `timeout` for notifications and returns those received (none on timeout).
    // Throws store_error when the connection is lost (the server stopped, the session was
    // terminated): the caller connects again.
    [[nodiscard]] std::vector<notification> wait_for_notifications(std::chrono::milliseconds timeout);
    // This session's server process id (what notification::sender names).
    [[nodiscard]] int backend_pid() const noexcept;
    // Whether the connection is still up as far as libpq knows (a lost one is seen at its next use).
    [[nodiscard]] bool is_open() const noexcept;

    // libpq's PGconn, for what the interface does not cover (COPY).
    [[nodiscard]] void* handle() const noexcept { return conn_; }
    // Set by statements after each command: the rows it changed.
    void set_changes(std::int64_t n) noexcept { changes_ = n; }

private:
    void* conn_ = nullptr;  // PGconn*
    std::string location_;  // redacted
    std::int64_t changes_ = 0;
};

}  // namespace microplan::geo::postgres
