#pragma once
// The SpatiaLite implementation of the planning store, as functions over one connection
// (private to the store layer; callers use planning_store). Tables, columns and indexes:
// docs/store.md. Every writer runs inside the caller's transaction.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dialect.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/store/planning_store.hpp"
#include "microplan/geo/store/write_lock.hpp"

namespace microplan::geo::store::spatialite {

// Schema, provenance and units (spatialite_base.cpp).
void update_atomically(const write_lock& lock, const std::function<void(sqlite::connection&)>& change);
// Throws store_error naming `location` when the store records a schema_version this build does
// not read; a file without microplan's metadata passes (its caller judges it).
void check_schema_version(sqlite::connection& db, const std::string& location);
// The same for a store in a database (PostgreSQL), named by its redacted location.
void check_database_schema_version(sql::connection& db);
// A database store's change counter (microplan_meta 'changes'): moved by one, in the caller's
// transaction; created at 0 when missing. Nothing on SQLite (its watcher reads the file).
void count_change(sql::connection& db);
// Statement triggers that move the counter (and pg_notify 'microplan' with the table's name) on
// every write to each of `tables` by any client; PostgreSQL only.
void watch_tables(sql::connection& db, const std::vector<std::string>& tables);
// watch_tables for every table of the store that is not watched yet (created after the copy).
void watch_new_tables(sql::connection& db);
bool is_planning_store(sql::connection& db);
void ensure_schema(sql::connection& db, const std::string& analysis_crs);
void write_level(sql::connection& db, const unit_layer& layer, const import_record& record, const findings& report);
std::int64_t record_import(sql::connection& db, std::string_view what, const import_record& record, std::size_t rows,
                           const findings& report);
unit_layer read_level(sql::connection& db, level lvl, const std::string& analysis_crs);
std::vector<territory_unit> read_unit_records(sql::connection& db, level lvl);
std::vector<level> levels_present(sql::connection& db);
findings recorded_findings(sql::connection& db);
std::string analysis_crs(sql::connection& db);

// Establishments (spatialite_establishments.cpp).
void write_establishments(sql::connection& db, std::span<const establishment> rows,
                          std::span<const point_assignment> placed, const import_record& record, const findings& report,
                          establishment_write_mode mode);
std::vector<stored_establishment> read_establishments(sql::connection& db);
std::optional<stored_establishment> read_establishment(sql::connection& db, std::int64_t fid);
std::int64_t insert_establishment(sql::connection& db, const establishment& row, const point_assignment& placed,
                                  const std::string& source, std::optional<std::int64_t> fid);
bool delete_establishment(sql::connection& db, std::int64_t fid);
void update_assignments(sql::connection& db, std::span<const establishment> rows,
                        std::span<const point_assignment> placed);

// Population (spatialite_population.cpp).
void write_population(sql::connection& db, const population_record& what, const population_values& values,
                      const import_record& record, const findings& report);
population_values read_population(sql::connection& db, level lvl, std::optional<int> year);
std::optional<int> base_population_year(sql::connection& db);
std::vector<int> population_years(sql::connection& db, level lvl);

// Standards, attributes and coverage (spatialite_planning.cpp).
void write_standards(sql::connection& db, const standards_catalogue& catalogue);
std::optional<standards_catalogue> read_standards(sql::connection& db);
void write_budget_scenarios(sql::connection& db, const budget_scenarios& table);
void write_projects(sql::connection& db, std::span<const stored_project> rows);
std::vector<stored_project> read_projects(sql::connection& db);
void write_execution(sql::connection& db, std::span<const execution_row> rows);
std::vector<execution_row> read_execution(sql::connection& db);
void write_observations(sql::connection& db, std::span<const observation> rows, const std::string& source);
std::vector<stored_observation> read_observations(sql::connection& db, bool every_revision);
void write_scorecards(sql::connection& db, const scorecards_table& table);
std::optional<scorecards_table> read_scorecards(sql::connection& db);
void write_sectors(sql::connection& db, const sectors_catalogue& table);
std::optional<sectors_catalogue> read_sectors(sql::connection& db);
std::optional<budget_scenarios> read_budget_scenarios(sql::connection& db);
void write_attributes(sql::connection& db, level lvl, const std::string& name,
                      const std::map<std::string, double>& values, const std::string& source,
                      const std::string& period);
unit_attributes read_attributes(sql::connection& db, level lvl, const std::string& as_of);
void write_coverage(sql::connection& db, const coverage_model& model, int year, const closing_plan* plan);

// Accessibility runs (spatialite_accessibility.cpp).
std::int64_t write_accessibility(sql::connection& db, const accessibility_run& run);
std::vector<accessibility_run> read_accessibility(sql::connection& db);

// Scenarios and their undo log (spatialite_scenarios.cpp); each call is one transaction.
std::vector<scenario_record> read_scenarios(sql::connection& db);
std::vector<proposal_record> read_proposals(sql::connection& db);
scenario_record create_scenario(sql::connection& db, const std::string& name);
std::string rename_scenario(sql::connection& db, std::int64_t id, const std::string& name);
void delete_scenario(sql::connection& db, std::int64_t id);
proposal_record add_proposal(sql::connection& db, proposal_record p);
void move_proposal(sql::connection& db, const proposal_record& before, const proposal_record& after);
void delete_proposal(sql::connection& db, const proposal_record& p);
std::vector<closure_record> read_closures(sql::connection& db);
bool close_establishment(sql::connection& db, const closure_record& c);
bool reopen_establishment(sql::connection& db, std::int64_t scenario, std::int64_t fid);
std::optional<undone_edit> undo_last_edit(sql::connection& db, std::int64_t scenario);

}  // namespace microplan::geo::store::spatialite
