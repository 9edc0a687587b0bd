#pragma once
// The planning store: one SpatiaLite file, the single source of truth, which GDAL and
// QGIS open directly. Tables `zones`, `districts`, `circuits` (and the source levels
// `provinces`, `cantons`, `parishes`) hold units with a MULTIPOLYGON geometry in
// EPSG:4326 and an R*Tree spatial index; `microplan_meta`, `microplan_imports` and
// `microplan_findings` hold provenance. Schema: README.md, "Planning store".
#include <functional>
#include <string>
#include <vector>

#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/unit.hpp"

namespace microplan::geo::store {

inline constexpr int schema_version = 1;

// Provenance of one level written to the store.
struct import_record {
    level lvl = level::circuit;
    std::string source;  // path or "demo" or "built from cantons"
    std::string layer;
    std::string driver;
    std::string source_crs;
    std::string fields;  // "code=DPA_CANTON name=DPA_DESCAN parent="
    std::size_t vertices = 0;
};

// Applies `change` to the store at `path` atomically: the change runs on a private copy
// (created when `path` does not exist yet), which is synced and renamed over `path` only
// after `change` returned and its transaction committed. A failure or a killed process at
// any point leaves `path` byte-for-byte as it was. Writers are not meant to run concurrently.
void update_atomically(const std::string& path, const std::function<void(sqlite::connection&)>& change);

// Creates the metadata tables and spatial metadata when missing; records the analysis CRS.
void ensure_schema(sqlite::connection& db, const std::string& analysis_crs);

// Replaces the units of `layer.lvl` (creating its table when missing), in code order so
// that fids are stable, and records the import with its findings.
void write_level(sqlite::connection& db, const unit_layer& layer, const import_record& record, const findings& report);

// Records one import of `rows` rows of `what` (a level name, "establishments",
// "population") with its findings; returns its id in microplan_imports.
std::int64_t record_import(sqlite::connection& db, std::string_view what, const import_record& record, std::size_t rows,
                           const findings& report);

// Reads one level (empty when absent), with geometries in WGS 84 and, when
// `analysis_crs` is given, projected copies for measuring.
unit_layer read_level(sqlite::connection& db, level lvl, const std::string& analysis_crs = {});

// Levels that have a table with at least one unit.
std::vector<level> levels_present(sqlite::connection& db);

// Findings recorded by imports, for validation reports.
findings recorded_findings(sqlite::connection& db);

// The analysis CRS recorded in the store ("EPSG:32717" when none).
std::string analysis_crs(sqlite::connection& db);

// The current time in UTC, ISO 8601 ("2026-11-21T10:30:00Z"), as the store records it.
std::string now_utc();

// Test hook for crash safety (README): MICROPLAN_FAULT=<point> kills the process with SIGKILL
// at that point ("before-commit", "before-rename" of an atomic update; "scenario-before-commit"
// of a scenario edit).
void fault_point(const char* point);

}  // namespace microplan::geo::store
