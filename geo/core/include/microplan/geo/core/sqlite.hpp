#pragma once
// SQLite + SpatiaLite connections. A connection belongs to one thread at a time;
// statements belong to their connection and must not outlive it.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "microplan/geo/core/sql.hpp"

namespace microplan::geo::sqlite {

struct statement_deleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};

class connection;

// A prepared statement with typed binds (1-based) and column reads (0-based).
class statement {
public:
    statement(connection& db, std::string_view sql);

    statement& bind(int index, std::string_view text);
    statement& bind(int index, double value);
    statement& bind(int index, std::int64_t value);
    statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    statement& bind_blob(int index, std::span<const unsigned char> blob);
    statement& bind_null(int index);

    // Steps once: true while a row is available, false when done. Throws on error.
    bool step();
    // Steps to completion and resets, for statements without result rows.
    void run();
    void reset();

    [[nodiscard]] std::string text(int col) const;
    [[nodiscard]] double real(int col) const { return sqlite3_column_double(stmt_.get(), col); }
    [[nodiscard]] std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
    [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
    [[nodiscard]] std::span<const unsigned char> blob(int col) const;

private:
    connection* db_;
    std::unique_ptr<sqlite3_stmt, statement_deleter> stmt_;
};

// An open database with SpatiaLite loaded (spatialite_init_ex, one cache per connection): the
// embedded engine of sql::connection. Not thread-safe: one connection per thread.
class connection final : public sql::connection {
public:
    enum class mode { read_only, read_write, create };
    connection(const std::string& path, mode m);
    ~connection() override;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void exec(std::string_view sql) override;
    [[nodiscard]] std::unique_ptr<sql::statement_impl> prepare(std::string_view sql) override;
    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }
    [[nodiscard]] const std::string& path() const noexcept override { return path_; }
    // "<path>: <sqlite message>" for errors on this connection.
    [[nodiscard]] std::string describe_error(std::string_view what) const override;
    [[nodiscard]] bool has_table(const std::string& name) override;
    [[nodiscard]] bool has_column(const std::string& table, const std::string& column) override;
    [[nodiscard]] std::int64_t last_insert_id() override { return sqlite3_last_insert_rowid(db_); }
    [[nodiscard]] std::int64_t changes() override { return sqlite3_changes(db_); }
    [[nodiscard]] sql::dialect dialect() const noexcept override { return sql::dialect::sqlite; }

private:
    sqlite3* db_ = nullptr;
    void* spatialite_cache_ = nullptr;
    std::string path_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() was called.
class transaction {
public:
    explicit transaction(connection& db);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit();

private:
    connection& db_;
    bool done_ = false;
};

}  // namespace microplan::geo::sqlite
