#include "microplan/geo/core/sqlite.hpp"

#include <spatialite.h>

#include "microplan/geo/error.hpp"

namespace microplan::geo::sqlite {

namespace {
[[noreturn]] void fail(const connection& db, std::string_view what) {
    throw store_error(error_location{db.path(), {}, {}, {}, {}}, "SQLite", db.describe_error(what));
}
}  // namespace

connection::connection(const std::string& path, mode m) : path_(path) {
    int flags = SQLITE_OPEN_NOMUTEX;
    switch (m) {
        case mode::read_only:
            flags |= SQLITE_OPEN_READONLY;
            break;
        case mode::read_write:
            flags |= SQLITE_OPEN_READWRITE;
            break;
        case mode::create:
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
            break;
    }
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw store_error(error_location{path, {}, {}, {}, {}}, "cannot open the planning store", msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    spatialite_cache_ = spatialite_alloc_connection();
    spatialite_init_ex(db_, spatialite_cache_, 0);
}

connection::~connection() {
    sqlite3_close_v2(db_);
    if (spatialite_cache_) spatialite_cleanup_ex(spatialite_cache_);
}

std::string connection::describe_error(std::string_view what) const {
    return std::string(what) + ": " + sqlite3_errmsg(db_);
}

void connection::exec(std::string_view sql) {
    std::string text(sql);
    char* msg = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string detail = msg ? msg : "unknown error";
        sqlite3_free(msg);
        throw store_error(error_location{path_, {}, {}, {}, {}}, "SQLite",
                          detail + " (in: " + text.substr(0, 120) + ")");
    }
}

bool connection::has_table(const std::string& name) {
    statement s(*this, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
    s.bind(1, name);
    return s.step();
}

bool connection::has_column(const std::string& table, const std::string& column) {
    statement s(*this, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
    s.bind(1, table).bind(2, column);
    return s.step();
}

statement::statement(connection& db, std::string_view sql) : db_(&db) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
        fail(db, "prepare '" + std::string(sql.substr(0, 120)) + "'");
    stmt_.reset(raw);
}

statement& statement::bind(int index, std::string_view text) {
    if (sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK)
        fail(*db_, "bind");
    return *this;
}
statement& statement::bind(int index, double value) {
    if (sqlite3_bind_double(stmt_.get(), index, value) != SQLITE_OK) fail(*db_, "bind");
    return *this;
}
statement& statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_.get(), index, value) != SQLITE_OK) fail(*db_, "bind");
    return *this;
}
statement& statement::bind_blob(int index, std::span<const unsigned char> blob) {
    if (sqlite3_bind_blob(stmt_.get(), index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK)
        fail(*db_, "bind");
    return *this;
}
statement& statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_.get(), index) != SQLITE_OK) fail(*db_, "bind");
    return *this;
}

bool statement::step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(*db_, "step");
}

void statement::run() {
    while (step()) {
    }
    reset();
}

void statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

std::string statement::text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_.get(), col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)))
             : std::string{};
}

std::span<const unsigned char> statement::blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_.get(), col);
    int n = sqlite3_column_bytes(stmt_.get(), col);
    return {static_cast<const unsigned char*>(p), static_cast<std::size_t>(n)};
}

namespace {

// sqlite::statement behind the engine-neutral interface.
class sqlite_statement final : public sql::statement_impl {
public:
    sqlite_statement(connection& db, std::string_view sql) : s_(db, sql) {}
    void bind_text(int index, std::string_view text) override { s_.bind(index, text); }
    void bind_real(int index, double value) override { s_.bind(index, value); }
    void bind_integer(int index, std::int64_t value) override { s_.bind(index, value); }
    void bind_blob(int index, std::span<const unsigned char> blob) override { s_.bind_blob(index, blob); }
    void bind_null(int index) override { s_.bind_null(index); }
    bool step() override { return s_.step(); }
    void reset() override { s_.reset(); }
    [[nodiscard]] std::string text(int col) const override { return s_.text(col); }
    [[nodiscard]] double real(int col) const override { return s_.real(col); }
    [[nodiscard]] std::int64_t integer(int col) const override { return s_.integer(col); }
    [[nodiscard]] bool is_null(int col) const override { return s_.is_null(col); }
    [[nodiscard]] std::span<const unsigned char> blob(int col) const override { return s_.blob(col); }

private:
    statement s_;
};

}  // namespace

std::unique_ptr<sql::statement_impl> connection::prepare(std::string_view sql) {
    return std::make_unique<sqlite_statement>(*this, sql);
}

transaction::transaction(connection& db) : db_(db) { db_.exec("BEGIN"); }
transaction::~transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
        }
    }
}
void transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace microplan::geo::sqlite
