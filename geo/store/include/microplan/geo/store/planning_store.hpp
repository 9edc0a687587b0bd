#pragma once
// The planning store: the single source of truth of a planning base, behind one interface.
// Everything microplan persists goes through `planning_store`: territorial units of every level,
// establishments with the units they lie in, population by level, year and age band, the
// standards catalogue in force, unit attributes, coverage results, accessibility runs, workshop
// scenarios with their undo log, and the provenance of every import (docs/store.md).
//
// Implementations: a SpatiaLite file (the embedded default, which GDAL and QGIS open directly;
// open_store with a file path). A second backend (PostgreSQL/PostGIS) plugs in behind the same
// interface without touching callers.
//
// Thread safety: a planning_store is one connection: use it from one thread at a time. Open one
// per thread (opening is cheap).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "microplan/geo/model/accessibility.hpp"
#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"
#include "microplan/geo/planning/budget.hpp"
#include "microplan/geo/planning/closing.hpp"
#include "microplan/geo/planning/coverage.hpp"
#include "microplan/geo/planning/observations.hpp"
#include "microplan/geo/planning/projects.hpp"
#include "microplan/geo/planning/scorecards.hpp"
#include "microplan/geo/planning/standards.hpp"
#include "microplan/geo/population/population.hpp"
#include "microplan/geo/store/write_lock.hpp"
#include "microplan/geo/territory/assign.hpp"

namespace microplan::geo::sql {
class connection;
}

namespace microplan::geo::store {

// The schema this build writes and the only one it reads (microplan_meta.schema_version):
// opening a store with another version is refused with a message naming it.
inline constexpr int schema_version = 1;

// Provenance of one level (or table) written to the store.
struct import_record {  // members initialised, so that designated initialisers may leave any out
    level lvl = level::circuit;
    std::string source = {};  // path or "demo" or "built from cantons"
    std::string layer = {};
    std::string driver = {};
    std::string source_crs = {};
    std::string fields = {};  // "code=DPA_CANTON name=DPA_DESCAN parent="
    std::size_t vertices = 0;
};

// What a population write holds: one level and year, and how the values were made.
struct population_record {
    level lvl = level::circuit;
    int year = 0;
    std::string method;  // table, raster, area, dasymetric, projection
    std::string source;  // file(s) the values come from
};

enum class establishment_write_mode {
    replace_sectors,  // rows of the sectors present in the new rows are replaced, others kept
    append,           // every existing row is kept
};

// An establishment as stored: its attributes (`row` = the store fid; lon/lat NaN when it has no
// usable coordinates), the unit it lies in at every level and how it was placed.
struct stored_establishment {
    establishment attributes;
    std::array<std::string, level_count> codes;  // indexed by level; "" when not placed
    std::string placement;                       // inside, snapped, outside, invalid, by_code
    std::string placement_level;                 // by_code: the finest level placed ("" otherwise)
    [[nodiscard]] const std::string& code(level l) const { return codes[static_cast<std::size_t>(l)]; }
};

// A project of the investment portfolio as stored: with the units it works in (from its point,
// else from its unit code and that unit's parents; "" where unknown).
struct stored_project {
    std::int64_t fid = 0;
    project attributes;
    std::string zone_code, district_code, circuit_code;
};

// An observed indicator value as stored: each import of a period adds a revision (never
// overwritten); `revision` orders them.
struct stored_observation {
    observation attributes;
    std::int64_t revision = 0;
    std::string source;  // the file it came from
};

// Workshop scenarios: named sets of proposed establishments, each edit undoable.
struct scenario_record {
    std::int64_t id = 0;
    std::string name, created_at, updated_at;
};
struct proposal_record {
    std::int64_t id = 0;  // 0 before it is stored
    std::int64_t scenario_id = 0;
    std::string sector, typology, name;
    double lon = 0, lat = 0;
    std::string circuit_code;
};
// A stored establishment closed in a scenario ("what if this health post closed?"). `fid` is
// the establishments table's; code, sector, typology and name are copied when it is closed, to
// show it and to find it again by its code after the establishments are imported anew.
struct closure_record {
    std::int64_t scenario_id = 0;
    std::int64_t fid = 0;
    std::string code, sector, typology, name;
};
// What a scenario changes of the baseline: its proposals, and the fids of the stored
// establishments it closes (ascending).
struct scenario_changes {
    std::vector<proposal_record> proposals;
    std::vector<std::int64_t> closed;
};
enum class edit_action { add, move, remove, close, reopen };
// The edit an undo reverted: the proposal as it is after the undo (add: the removed one), or
// for close and reopen the closure (close undone: the establishment is open again).
struct undone_edit {
    edit_action action = edit_action::add;
    proposal_record proposal;
    closure_record closure;
};

enum class open_mode { read_only, read_write };

class planning_store {
public:
    virtual ~planning_store() = default;

    // The location it was opened from (a file path), for messages.
    [[nodiscard]] virtual const std::string& location() const noexcept = 0;

    // --- schema and provenance
    // True when the store holds microplan's metadata (not just any SQLite file).
    virtual bool is_planning_store() = 0;
    // Creates the metadata tables when missing; records the analysis CRS.
    virtual void ensure_schema(const std::string& analysis_crs) = 0;
    // The analysis CRS recorded in the store ("EPSG:32717" when none).
    virtual std::string analysis_crs() = 0;
    // Records one import of `rows` rows of `what` (a level name, "establishments",
    // "population:circuit") with its findings; returns its id.
    virtual std::int64_t record_import(std::string_view what, const import_record& record, std::size_t rows,
                                       const findings& report) = 0;
    // Findings of the latest import of each level, for validation reports.
    virtual findings recorded_findings() = 0;

    // --- territorial units
    // Levels that hold at least one unit.
    virtual std::vector<level> levels_present() = 0;
    // Replaces the units of `layer.lvl`, in code order so that fids are stable, and records the import.
    virtual void write_level(const unit_layer& layer, const import_record& record, const findings& report) = 0;
    // One level in code order (empty when absent), geometries in WGS 84 and, when `analysis_crs`
    // is given, projected copies for measuring.
    virtual unit_layer read_level(level lvl, const std::string& analysis_crs = {}) = 0;
    // The units of a level without geometry, in fid order (empty when absent).
    virtual std::vector<territory_unit> read_unit_records(level lvl) = 0;

    // --- establishments
    // Writes `rows` with their `placed` assignments (same order) and records the import.
    virtual void write_establishments(std::span<const establishment> rows, std::span<const point_assignment> placed,
                                      const import_record& record, const findings& report,
                                      establishment_write_mode mode) = 0;
    // True when the store has an establishments layer (possibly empty).
    virtual bool has_establishment_layer() = 0;
    // Every establishment in fid order, with its unit codes.
    virtual std::vector<stored_establishment> read_establishments() = 0;
    // Rewrites the unit codes and placement of the establishments with the given fids (rows[i].row).
    virtual void update_assignments(std::span<const establishment> rows, std::span<const point_assignment> placed) = 0;
    // One establishment at a time (OGC API - Features Part 4 edits): the row with `fid`
    // (nullopt when none); `row` written with its placement and source, as `fid` when given (a
    // replacement keeps its fid: the row it replaces is deleted in the same transaction) and
    // with a new fid otherwise, returned; the row with `fid` deleted (false when there was
    // none). No import is recorded.
    virtual std::optional<stored_establishment> read_establishment(std::int64_t fid) = 0;
    virtual std::int64_t insert_establishment(const establishment& row, const point_assignment& placed,
                                              const std::string& source, std::optional<std::int64_t> fid) = 0;
    virtual bool delete_establishment(std::int64_t fid) = 0;

    // --- population
    // Replaces the values of (level, year, band) for every band in `values`; records the import.
    virtual void write_population(const population_record& what, const population_values& values,
                                  const import_record& record, const findings& report) = 0;
    // Every band of one level and year (the latest stored year when `year` is empty).
    virtual population_values read_population(level lvl, std::optional<int> year = {}) = 0;
    // The base year of planning: the latest year whose values are not projections, else the
    // earliest stored; nullopt without population.
    virtual std::optional<int> base_population_year() = 0;
    // The years stored for a level, ascending.
    virtual std::vector<int> population_years(level lvl) = 0;

    // --- planning
    // Replaces the catalogue in force (validated first: throws format_error on errors).
    virtual void write_standards(const standards_catalogue& catalogue) = 0;
    // The catalogue in force; nullopt when the store has none.
    virtual std::optional<standards_catalogue> read_standards() = 0;
    // Replaces the budget scenarios in force (validated first: throws format_error on errors).
    virtual void write_budget_scenarios(const budget_scenarios& table) = 0;
    // The budget scenarios in force; nullopt when the store has none (older stores).
    virtual std::optional<budget_scenarios> read_budget_scenarios() = 0;
    // Replaces the sectors table in force (validated first: throws format_error on errors). The
    // standards in force must still name its sectors at the levels it allows: put the table in
    // force before a catalogue that needs it.
    virtual void write_sectors(const sectors_catalogue& table) = 0;
    // The sectors table in force; nullopt when the store has none (the built-in eight apply).
    virtual std::optional<sectors_catalogue> read_sectors() = 0;
    // Replaces attribute `name` of a level (code -> value) for one period and records its source.
    // `period` is the year, month or day from which the values hold ("2022", "2024-06",
    // "2022-11-30"), "" for values of no date; other periods of the attribute are kept.
    virtual void write_attributes(level lvl, const std::string& name, const std::map<std::string, double>& values,
                                  const std::string& source, const std::string& period = "") = 0;
    // Every attribute of a level, each unit's value of the latest period known on `as_of` (a
    // parsed date; "" = the latest of all). A value of no date counts as the earliest.
    virtual unit_attributes read_attributes(level lvl, const std::string& as_of = "") = 0;
    // Replaces the investment portfolio (projects, in table order) and records the import.
    virtual void write_projects(std::span<const stored_project> rows, const import_record& record,
                                const findings& report) = 0;
    // The portfolio in fid order (empty when the store has none).
    virtual std::vector<stored_project> read_projects() = 0;
    // Adds budget execution rows, replacing those of the same project, year and month; records the import.
    virtual void write_execution(std::span<const execution_row> rows, const import_record& record,
                                 const findings& report) = 0;
    // Every execution row, by project, year and month (empty when the store has none).
    virtual std::vector<execution_row> read_execution() = 0;
    // Adds observed indicator values as new revisions (earlier ones are kept) and records the import.
    virtual void write_observations(std::span<const observation> rows, const import_record& record,
                                    const findings& report) = 0;
    // The latest revision of each indicator, sector, unit and period (every revision with
    // `every_revision`), by indicator, sector, level, code, period (and revision).
    virtual std::vector<stored_observation> read_observations(bool every_revision = false) = 0;
    // Replaces the scorecards (objectives, indicators and targets, links, initiatives) and records the import.
    virtual void write_scorecards(const scorecards_table& table, const import_record& record,
                                  const findings& report) = 0;
    // The scorecards in force (nullopt when the store has none).
    virtual std::optional<scorecards_table> read_scorecards() = 0;
    // Replaces the coverage results of `year` (one row per unit, sector and typology).
    virtual void write_coverage(const coverage_model& model, int year, const closing_plan* plan = nullptr) = 0;

    // --- accessibility
    // Writes a run (replacing the earlier one of the same sector, typology and measure); returns its id.
    virtual std::int64_t write_accessibility(const accessibility_run& run) = 0;
    // Every stored run, statistics included.
    virtual std::vector<accessibility_run> read_accessibility() = 0;

    // --- scenarios: every edit is one transaction, logged for undo
    virtual std::vector<scenario_record> read_scenarios() = 0;
    // Every proposal of every scenario, by id.
    virtual std::vector<proposal_record> read_proposals() = 0;
    virtual scenario_record create_scenario(const std::string& name) = 0;
    // Returns the new updated_at.
    virtual std::string rename_scenario(std::int64_t id, const std::string& name) = 0;
    virtual void delete_scenario(std::int64_t id) = 0;
    // Stores a new proposal of p.scenario_id (p.id is ignored) and logs it; returns it with its id.
    virtual proposal_record add_proposal(proposal_record p) = 0;
    // Moves a proposal to `after`'s location (logging `before` for undo).
    virtual void move_proposal(const proposal_record& before, const proposal_record& after) = 0;
    // Deletes a proposal (logging it for undo).
    virtual void delete_proposal(const proposal_record& p) = 0;
    // Every closure of every scenario, by scenario and fid.
    virtual std::vector<closure_record> read_closures() = 0;
    // Closes a stored establishment in c.scenario_id (logged for undo); false when the scenario
    // already closes that fid (nothing written).
    virtual bool close_establishment(const closure_record& c) = 0;
    // Opens it again (logged for undo); false when the scenario does not close it.
    virtual bool reopen_establishment(std::int64_t scenario, std::int64_t fid) = 0;
    // Reverts the scenario's last edit; nullopt when there is none.
    virtual std::optional<undone_edit> undo_last_edit(std::int64_t scenario) = 0;
};

// Opens the store at `location` (a SpatiaLite file). read_only never changes the file and takes
// no lock; read_write edits it in place, one transaction per scenario edit, holding the store's
// write_lock until the returned store is destroyed (waiting at most edit_wait, or
// MICROPLAN_LOCK_WAIT when shorter, then throwing store_busy). Throws store_error naming the
// location when it cannot be opened, or records a schema_version this build does not read.
inline constexpr std::chrono::milliseconds edit_wait{10'000};
std::unique_ptr<planning_store> open_store(const std::string& location, open_mode mode);

// Opens the store for one edit after another (the server's scenario edits): open() is
// open_store(location, read_write), except that a database store's connection is kept between
// edits (opened again when it was lost), so an edit costs no new connection and the server
// knows the session its own changes come from.
// Thread safety: one open() at a time, and the store it returns used by that thread only (the
// scenario book calls it under its mutex); session() from any thread.
class store_editor {
public:
    explicit store_editor(std::string location);
    ~store_editor();
    store_editor(const store_editor&) = delete;
    store_editor& operator=(const store_editor&) = delete;

    // The store holding the write lock until it is destroyed (as open_store's read_write).
    [[nodiscard]] std::unique_ptr<planning_store> open();
    // The database session the edits are made in (its backend pid: what a notification names
    // as its sender), 0 for a file store or before the first edit.
    [[nodiscard]] int session() const noexcept { return session_.load(); }

private:
    std::string location_;
    std::unique_ptr<postgres::connection> db_;
    std::atomic<int> session_{0};
};

// Applies `change` to the store at `location` atomically: the change runs on a private copy
// (created when `location` does not exist yet), which is synced and renamed over `location` only
// after `change` returned and its transaction committed. A failure or a killed process at any
// point leaves `location` byte-for-byte as it was. A `location` that is a symbolic link is
// written through (its target is replaced; the link stays).
// Writers exclude each other: this takes the store's write_lock (waiting as write_lock says) for
// the whole update. A use case that reads the store before writing what it computed takes the
// lock itself first and passes it (the second form), so that nothing changes between its read
// and its write.
void update_atomically(const std::string& location, const std::function<void(planning_store&)>& change);
void update_atomically(const write_lock& held, const std::function<void(planning_store&)>& change);

// A store in a database (PostgreSQL, issue 22): its change counter, which every committed
// change moves — update_atomically's, and any other client's write to a table the store had when
// it was copied in (statement triggers), a GIS analyst's edit in QGIS included. nullopt for a
// file (its watcher looks at the file itself) or a database store without the counter. Throws
// store_error when the database does not answer.
std::optional<long long> change_counter(const std::string& location);
// The same read on an open connection (the server's listening one); nullopt for a file.
std::optional<long long> change_counter(sql::connection& db);

// The current time in UTC, ISO 8601 ("2026-11-21T10:30:00Z"), as the store records it.
std::string now_utc();

// Test hook for crash safety (docs/store.md): MICROPLAN_FAULT=<point> kills the process with
// SIGKILL at that point ("before-commit", "before-rename" of an atomic update;
// "scenario-before-commit" of a scenario edit).
void fault_point(const char* point);

}  // namespace microplan::geo::store
