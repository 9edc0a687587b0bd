#pragma once
// The SQL the planning store speaks, over either engine (issue 22): the embedded SpatiaLite file
// (sqlite.hpp) or a PostgreSQL/PostGIS database (postgres.hpp). Store code prepares statements
// with `?` placeholders, binds by 1-based index and reads columns by 0-based index, the same on
// both; where the engines' SQL differs it asks the connection's dialect().
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace microplan::geo::sql {

enum class dialect { sqlite, postgres };

// One engine's prepared statement (sql::statement wraps it).
class statement_impl {
public:
    virtual ~statement_impl() = default;
    virtual void bind_text(int index, std::string_view text) = 0;
    virtual void bind_real(int index, double value) = 0;
    virtual void bind_integer(int index, std::int64_t value) = 0;
    virtual void bind_blob(int index, std::span<const unsigned char> blob) = 0;
    virtual void bind_null(int index) = 0;
    // Executes on the first call; true while a row is available, false when done. Throws on error.
    virtual bool step() = 0;
    // Ready to run again, binds cleared.
    virtual void reset() = 0;
    [[nodiscard]] virtual std::string text(int col) const = 0;
    [[nodiscard]] virtual double real(int col) const = 0;
    [[nodiscard]] virtual std::int64_t integer(int col) const = 0;
    [[nodiscard]] virtual bool is_null(int col) const = 0;
    // Valid until the next step or reset.
    [[nodiscard]] virtual std::span<const unsigned char> blob(int col) const = 0;
};

// An open database. Not thread-safe: one connection per thread.
class connection {
public:
    virtual ~connection() = default;
    // Runs SQL without parameters or results (several statements separated by `;`).
    virtual void exec(std::string_view sql) = 0;
    [[nodiscard]] virtual std::unique_ptr<statement_impl> prepare(std::string_view sql) = 0;
    [[nodiscard]] virtual bool has_table(const std::string& name) = 0;
    [[nodiscard]] virtual bool has_column(const std::string& table, const std::string& column) = 0;
    // The key given to the last row inserted with an automatic key on this connection.
    [[nodiscard]] virtual std::int64_t last_insert_id() = 0;
    // The rows changed by the last INSERT, UPDATE or DELETE.
    [[nodiscard]] virtual std::int64_t changes() = 0;
    // The store as users name it in messages: the file's path, or the database URI without its password.
    [[nodiscard]] virtual const std::string& path() const noexcept = 0;
    // "<what>: <the engine's last message>".
    [[nodiscard]] virtual std::string describe_error(std::string_view what) const = 0;
    [[nodiscard]] virtual sql::dialect dialect() const noexcept = 0;
};

// A prepared statement: typed binds (1-based) and column reads (0-based).
class statement {
public:
    statement(connection& db, std::string_view sql) : impl_(db.prepare(sql)) {}

    statement& bind(int index, std::string_view text) {
        impl_->bind_text(index, text);
        return *this;
    }
    statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    statement& bind(int index, double value) {
        impl_->bind_real(index, value);
        return *this;
    }
    statement& bind(int index, std::int64_t value) {
        impl_->bind_integer(index, value);
        return *this;
    }
    statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    statement& bind_blob(int index, std::span<const unsigned char> blob) {
        impl_->bind_blob(index, blob);
        return *this;
    }
    statement& bind_null(int index) {
        impl_->bind_null(index);
        return *this;
    }

    bool step() { return impl_->step(); }
    // Steps to completion and resets, for statements without result rows.
    void run() {
        while (impl_->step()) {
        }
        impl_->reset();
    }
    void reset() { impl_->reset(); }

    [[nodiscard]] std::string text(int col) const { return impl_->text(col); }
    [[nodiscard]] double real(int col) const { return impl_->real(col); }
    [[nodiscard]] std::int64_t integer(int col) const { return impl_->integer(col); }
    [[nodiscard]] bool is_null(int col) const { return impl_->is_null(col); }
    [[nodiscard]] std::span<const unsigned char> blob(int col) const { return impl_->blob(col); }

private:
    std::unique_ptr<statement_impl> impl_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() was called.
class transaction {
public:
    explicit transaction(connection& db) : db_(db) { db_.exec("BEGIN"); }
    ~transaction() {
        if (!done_) {
            try {
                db_.exec("ROLLBACK");
            } catch (...) {
            }
        }
    }
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit() {
        db_.exec("COMMIT");
        done_ = true;
    }

private:
    connection& db_;
    bool done_ = false;
};

}  // namespace microplan::geo::sql
