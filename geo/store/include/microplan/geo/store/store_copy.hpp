#pragma once
// Moving a planning store between the embedded SpatiaLite file and PostgreSQL/PostGIS, both ways
// (issue 22): `microplan store copy SRC DST`.
#include <cstddef>
#include <string>

namespace microplan::geo::store {

struct copy_summary {
    std::size_t tables = 0, rows = 0, indexes = 0;
};

// Copies every table of microplan's SpatiaLite store at `source` into the empty PostgreSQL
// database at `destination` (a postgresql:// URI) in one transaction, as they are: columns and
// their types (translated), keys, unique constraints and indexes, geometry columns as PostGIS
// geometry(TYPE, 4326) with a GiST index where the store has a spatial index, automatic keys
// continuing after the copied rows. Throws store_error when the source is no planning store, the
// destination is not a PostgreSQL URI or already holds one (nothing is written then).
//
// With a database `source` and a file `destination`, the other way: every table of the database's
// schema (PostGIS's spatial_ref_sys aside) into a new SpatiaLite file, read in one REPEATABLE READ
// transaction (one consistent state, whatever other clients commit meanwhile): columns in
// SQLite's types, keys (an identity key as INTEGER PRIMARY KEY AUTOINCREMENT), unique
// constraints, B-tree indexes, geometry columns through AddGeometryColumn with an R*Tree where
// the database has a GiST index. The file is written as "<destination>.partial" and renamed into
// place when complete; a destination that exists is refused.
copy_summary copy_store(const std::string& source, const std::string& destination);

}  // namespace microplan::geo::store
