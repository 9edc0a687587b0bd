#pragma once
// What the store writes differently on SpatiaLite and on PostGIS (issue 22), beyond what the
// PostgreSQL connection translates by itself (core/postgres.hpp, translate): geometry columns and
// their indexes, geometry constructors, automatic keys and catalogue queries. Private to the
// store layer.
#include <string>

#include "microplan/geo/core/sql.hpp"

namespace microplan::geo::store::dialect {

[[nodiscard]] inline bool postgres(const sql::connection& db) { return db.dialect() == sql::dialect::postgres; }

// The spatial metadata a store needs before its first geometry column: SpatiaLite's tables, or
// the PostGIS extension.
void init_spatial(sql::connection& db);

// Adds a geometry column `geom` of `type` (POINT, MULTIPOLYGON) in EPSG:4326 to `table`, with a
// spatial index (SpatiaLite's R*Tree, a GiST index in PostGIS) unless `index` is false.
void add_geometry(sql::connection& db, const std::string& table, const std::string& type, bool not_null, bool index);

// SQL expressions: a MULTIPOLYGON from one WKB parameter; a POINT from two parameters (x, y);
// the x and y of `geom`; `geom` as WKB.
[[nodiscard]] const char* multipolygon_from_wkb(const sql::connection& db);
[[nodiscard]] const char* point_from_xy(const sql::connection& db);
[[nodiscard]] const char* x_of_geom(const sql::connection& db);
[[nodiscard]] const char* y_of_geom(const sql::connection& db);
[[nodiscard]] const char* wkb_of_geom(const sql::connection& db);

// After every row of `table` is deleted: its automatic key starts again at 1.
void restart_key(sql::connection& db, const std::string& table);

// Whether `column` of `table` is part of its primary key.
[[nodiscard]] bool in_primary_key(sql::connection& db, const std::string& table, const std::string& column);

}  // namespace microplan::geo::store::dialect
