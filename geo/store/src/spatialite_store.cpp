// planning_store over one SQL connection — a SpatiaLite file, or a PostgreSQL/PostGIS database
// (issue 22) — each method forwarding to the functions of spatialite.hpp, so the SQL lives in one
// place per table family.
#include <algorithm>

#include "microplan/geo/core/postgres.hpp"
#include "spatialite.hpp"

namespace microplan::geo::store {

namespace {

std::unique_ptr<sql::connection> open_sqlite(const std::string& path, sqlite::connection::mode mode,
                                             const std::string& location) {
    auto db = std::make_unique<sqlite::connection>(path, mode);
    spatialite::check_schema_version(*db, location);
    return db;
}

std::unique_ptr<sql::connection> open_database(const std::string& uri, bool read_only) {
    auto db = std::make_unique<postgres::connection>(uri);
    if (read_only) db->exec("SET default_transaction_read_only = on");
    spatialite::check_database_schema_version(*db);
    return db;
}

class spatialite_store final : public planning_store {
public:
    spatialite_store(const std::string& location, sqlite::connection::mode mode)
        : owned_(postgres::is_uri(location) ? open_database(location, mode == sqlite::connection::mode::read_only)
                                            : open_sqlite(location, mode, location)),
          db_(owned_.get()) {}
    // Edits in place under `lock`, held until the store is closed; a database store on the
    // lock's own session (one connection per edit, or the caller's kept between edits).
    explicit spatialite_store(write_lock lock)
        : lock_(std::make_unique<write_lock>(std::move(lock))),
          owned_(lock_->session()
                     ? nullptr
                     : open_sqlite(lock_->target(), sqlite::connection::mode::read_write, lock_->location())),
          db_(lock_->session() ? static_cast<sql::connection*>(lock_->session()) : owned_.get()),
          location_(lock_->session() ? db_->path() : lock_->location()) {
        if (lock_->session()) spatialite::check_database_schema_version(*db_);
    }
    // Borrows a connection opened by update_atomically (its private copy, or the database's
    // transaction), reporting `location`.
    spatialite_store(sql::connection& db, std::string location) : db_(&db), location_(std::move(location)) {}

    [[nodiscard]] const std::string& location() const noexcept override {
        return location_.empty() ? db_->path() : location_;
    }
    bool is_planning_store() override { return spatialite::is_planning_store(conn()); }
    void ensure_schema(const std::string& crs) override { spatialite::ensure_schema(conn(), crs); }
    std::string analysis_crs() override { return spatialite::analysis_crs(conn()); }
    std::int64_t record_import(std::string_view what, const import_record& record, std::size_t rows,
                               const findings& report) override {
        return spatialite::record_import(conn(), what, record, rows, report);
    }
    findings recorded_findings() override { return spatialite::recorded_findings(conn()); }

    std::vector<level> levels_present() override { return spatialite::levels_present(conn()); }
    void write_level(const unit_layer& layer, const import_record& record, const findings& report) override {
        spatialite::write_level(conn(), layer, record, report);
    }
    unit_layer read_level(level lvl, const std::string& crs) override {
        return spatialite::read_level(conn(), lvl, crs);
    }
    std::vector<territory_unit> read_unit_records(level lvl) override {
        return spatialite::read_unit_records(conn(), lvl);
    }

    void write_establishments(std::span<const establishment> rows, std::span<const point_assignment> placed,
                              const import_record& record, const findings& report,
                              establishment_write_mode mode) override {
        spatialite::write_establishments(conn(), rows, placed, record, report, mode);
    }
    bool has_establishment_layer() override { return conn().has_table("establishments"); }
    std::vector<stored_establishment> read_establishments() override { return spatialite::read_establishments(conn()); }
    void update_assignments(std::span<const establishment> rows, std::span<const point_assignment> placed) override {
        spatialite::update_assignments(conn(), rows, placed);
    }
    std::optional<stored_establishment> read_establishment(std::int64_t fid) override {
        return spatialite::read_establishment(conn(), fid);
    }
    std::int64_t insert_establishment(const establishment& row, const point_assignment& placed,
                                      const std::string& source, std::optional<std::int64_t> fid) override {
        return spatialite::insert_establishment(conn(), row, placed, source, fid);
    }
    bool delete_establishment(std::int64_t fid) override { return spatialite::delete_establishment(conn(), fid); }

    void write_population(const population_record& what, const population_values& values, const import_record& record,
                          const findings& report) override {
        spatialite::write_population(conn(), what, values, record, report);
    }
    population_values read_population(level lvl, std::optional<int> year) override {
        return spatialite::read_population(conn(), lvl, year);
    }
    std::optional<int> base_population_year() override { return spatialite::base_population_year(conn()); }
    std::vector<int> population_years(level lvl) override { return spatialite::population_years(conn(), lvl); }

    void write_standards(const standards_catalogue& catalogue) override {
        spatialite::write_standards(conn(), catalogue);
    }
    std::optional<standards_catalogue> read_standards() override { return spatialite::read_standards(conn()); }
    void write_budget_scenarios(const budget_scenarios& table) override {
        spatialite::write_budget_scenarios(conn(), table);
    }
    std::optional<budget_scenarios> read_budget_scenarios() override {
        return spatialite::read_budget_scenarios(conn());
    }
    void write_projects(std::span<const stored_project> rows, const import_record& record,
                        const findings& report) override {
        spatialite::write_projects(conn(), rows);
        spatialite::record_import(conn(), "projects", record, rows.size(), report);
    }
    std::vector<stored_project> read_projects() override { return spatialite::read_projects(conn()); }
    void write_execution(std::span<const execution_row> rows, const import_record& record,
                         const findings& report) override {
        spatialite::write_execution(conn(), rows);
        spatialite::record_import(conn(), "execution", record, rows.size(), report);
    }
    std::vector<execution_row> read_execution() override { return spatialite::read_execution(conn()); }
    void write_observations(std::span<const observation> rows, const import_record& record,
                            const findings& report) override {
        spatialite::write_observations(conn(), rows, record.source);
        spatialite::record_import(conn(), "observations", record, rows.size(), report);
    }
    void write_scorecards(const scorecards_table& table, const import_record& record, const findings& report) override {
        spatialite::write_scorecards(conn(), table);
        spatialite::record_import(conn(), "scorecards", record, table.rows.size(), report);
    }
    std::optional<scorecards_table> read_scorecards() override { return spatialite::read_scorecards(conn()); }
    std::vector<stored_observation> read_observations(bool every_revision) override {
        return spatialite::read_observations(conn(), every_revision);
    }
    void write_sectors(const sectors_catalogue& table) override { spatialite::write_sectors(conn(), table); }
    std::optional<sectors_catalogue> read_sectors() override { return spatialite::read_sectors(conn()); }
    void write_attributes(level lvl, const std::string& name, const std::map<std::string, double>& values,
                          const std::string& source, const std::string& period) override {
        spatialite::write_attributes(conn(), lvl, name, values, source, period);
    }
    unit_attributes read_attributes(level lvl, const std::string& as_of) override {
        return spatialite::read_attributes(conn(), lvl, as_of);
    }
    void write_coverage(const coverage_model& model, int year, const closing_plan* plan) override {
        spatialite::write_coverage(conn(), model, year, plan);
    }

    std::int64_t write_accessibility(const accessibility_run& run) override {
        return spatialite::write_accessibility(conn(), run);
    }
    std::vector<accessibility_run> read_accessibility() override { return spatialite::read_accessibility(conn()); }

    std::vector<scenario_record> read_scenarios() override { return spatialite::read_scenarios(conn()); }
    std::vector<proposal_record> read_proposals() override { return spatialite::read_proposals(conn()); }
    scenario_record create_scenario(const std::string& name) override {
        return spatialite::create_scenario(conn(), name);
    }
    std::string rename_scenario(std::int64_t id, const std::string& name) override {
        return spatialite::rename_scenario(conn(), id, name);
    }
    void delete_scenario(std::int64_t id) override { spatialite::delete_scenario(conn(), id); }
    proposal_record add_proposal(proposal_record p) override { return spatialite::add_proposal(conn(), std::move(p)); }
    void move_proposal(const proposal_record& before, const proposal_record& after) override {
        spatialite::move_proposal(conn(), before, after);
    }
    void delete_proposal(const proposal_record& p) override { spatialite::delete_proposal(conn(), p); }
    std::vector<closure_record> read_closures() override { return spatialite::read_closures(conn()); }
    bool close_establishment(const closure_record& c) override { return spatialite::close_establishment(conn(), c); }
    bool reopen_establishment(std::int64_t scenario, std::int64_t fid) override {
        return spatialite::reopen_establishment(conn(), scenario, fid);
    }
    std::optional<undone_edit> undo_last_edit(std::int64_t scenario) override {
        return spatialite::undo_last_edit(conn(), scenario);
    }

private:
    [[nodiscard]] sql::connection& conn() const noexcept { return *db_; }

    std::unique_ptr<write_lock> lock_;  // declared first: released after the connection closed
    std::unique_ptr<sql::connection> owned_;
    sql::connection* db_ = nullptr;
    std::string location_;  // the store's own path while db_ is its private copy
};

}  // namespace

std::unique_ptr<planning_store> open_store(const std::string& location, open_mode mode) {
    if (mode == open_mode::read_only)
        return std::make_unique<spatialite_store>(location, sqlite::connection::mode::read_only);
    return std::make_unique<spatialite_store>(write_lock(location, std::min(write_lock::writer_wait(), edit_wait)));
}

store_editor::store_editor(std::string location) : location_(std::move(location)) {}
store_editor::~store_editor() = default;

std::unique_ptr<planning_store> store_editor::open() {
    const auto wait = std::min(write_lock::writer_wait(), edit_wait);
    if (!postgres::is_uri(location_)) return std::make_unique<spatialite_store>(write_lock(location_, wait));
    if (!db_ || !db_->is_open()) {
        session_ = 0;
        db_.reset();
        db_ = std::make_unique<postgres::connection>(location_);
        db_->exec("SET application_name = 'microplan edits'");
        session_ = db_->backend_pid();
    }
    try {
        return std::make_unique<spatialite_store>(write_lock(*db_, location_, wait));
    } catch (const store_busy&) {
        throw;
    } catch (const store_error&) {
        if (!db_->is_open()) db_.reset();  // lost between edits: the next edit connects again
        throw;
    }
}

void update_atomically(const std::string& location, const std::function<void(planning_store&)>& change) {
    update_atomically(write_lock(location), change);
}

void update_atomically(const write_lock& lock, const std::function<void(planning_store&)>& change) {
    if (postgres::is_uri(lock.location())) {
        // One transaction: PostgreSQL's DDL is transactional, so an import that fails leaves
        // nothing behind, and readers see the store before or after it, never between.
        sql::connection& db = *lock.session();  // the lock's session: one connection per update
        spatialite::check_database_schema_version(db);
        sql::transaction tx(db);
        spatialite_store store(db, db.path());
        change(store);
        spatialite::count_change(db);  // also notifies, and watches tables the change created
        fault_point("before-commit");
        tx.commit();
        return;
    }
    spatialite::update_atomically(lock, [&](sqlite::connection& db) {
        spatialite_store store(db, lock.location());
        change(store);
    });
}

std::optional<long long> change_counter(const std::string& location) {
    if (!postgres::is_uri(location)) return std::nullopt;
    postgres::connection db(location);
    return change_counter(db);
}

std::optional<long long> change_counter(sql::connection& db) {
    if (db.dialect() != sql::dialect::postgres || !db.has_table("microplan_meta")) return std::nullopt;
    sql::statement q(db, "SELECT value FROM microplan_meta WHERE key = 'changes'");
    if (!q.step()) return std::nullopt;
    return std::stoll(q.text(0));
}

}  // namespace microplan::geo::store
