#include "microplan/geo/store/store_copy.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "microplan/geo/core/postgres.hpp"
#include "microplan/geo/core/sqlite.hpp"
#include "microplan/geo/error.hpp"
#include "spatialite.hpp"

namespace microplan::geo::store {

namespace {

error_location at(const std::string& where) { return error_location{where, {}, {}, {}, {}}; }

// SpatiaLite's own tables and the R*Tree indexes of its geometry columns: PostGIS has its own.
bool spatialite_internal(const std::string& name) {
    static const char* prefixes[] = {"idx_",
                                     "spatial_ref_sys",
                                     "spatialite_history",
                                     "geometry_columns",
                                     "views_geometry",
                                     "virts_geometry",
                                     "data_licenses",
                                     "sql_statements_log",
                                     "SpatialIndex",
                                     "ElementaryGeometries",
                                     "KNN",
                                     "sqlite_"};
    for (const char* p : prefixes)
        if (name.starts_with(p)) return true;
    return false;
}

struct geometry_column {
    std::string type;  // POINT, MULTIPOLYGON, ...
    int srid = 4326;
    bool indexed = false;
};

std::string geometry_type(int code) {
    static const char* names[] = {"GEOMETRY",   "POINT",           "LINESTRING",   "POLYGON",
                                  "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
    const int base = code % 1000;
    return base >= 0 && base < 8 ? names[base] : "GEOMETRY";
}

struct column {
    std::string name, type;
};

struct table_plan {
    std::string name, create;
    std::vector<column> columns;
    std::map<std::string, geometry_column> geometry;
    bool identity = false;  // an INTEGER PRIMARY KEY fid/id continuing after the copy
    std::string key;
};

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

table_plan plan_table(sqlite::connection& src, const std::string& name, const std::string& create,
                      const std::map<std::string, geometry_column>& geometry) {
    table_plan t{name, create, {}, geometry, false, {}};
    sqlite::statement cols(src, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid");
    cols.bind(1, name);
    int keys = 0;
    std::string key;
    while (cols.step()) {
        t.columns.push_back({cols.text(0), cols.text(1)});
        if (cols.integer(2) > 0) ++keys, key = cols.text(0);
    }
    // An automatic key where the PostgreSQL connection makes one (postgres::translate decides: an
    // INTEGER PRIMARY KEY becomes an identity), so that it continues after the copied rows.
    if (keys == 1 && postgres::translate(create).find("AS IDENTITY") != std::string::npos)
        t.identity = true, t.key = key;
    // The geometry columns SpatiaLite appended ("geom" MULTIPOLYGON NOT NULL DEFAULT ''): PostGIS types.
    for (const auto& [col, g] : geometry) {
        const std::regex decl("\"?" + col + "\"?\\s+" + g.type + "(\\s+NOT\\s+NULL)?(\\s+DEFAULT\\s+'')?",
                              std::regex::icase);
        t.create = std::regex_replace(t.create, decl,
                                      quoted(col) + " geometry(" + g.type + ", " + std::to_string(g.srid) + ")$1");
    }
    return t;
}

// One value read from the source, kept until its batch is sent.
struct cell {
    enum class kind { null, integer, real, text, blob } what = kind::null;
    std::int64_t integer = 0;
    double real = 0;
    std::string bytes;
};

// Rows go in multi-row INSERTs of up to `batch` rows: one round trip per batch, not per row
// (138,720 rows of the demo: 14 s one by one on loopback, about 1 s in batches).
std::size_t copy_rows(sqlite::connection& src, sql::connection& dst, const table_plan& t) {
    constexpr std::size_t most_parameters = 30000;  // PostgreSQL takes up to 65,535 per statement
    const std::size_t width = t.columns.size();
    const std::size_t batch = std::max<std::size_t>(1, std::min<std::size_t>(500, most_parameters / width));
    std::string select, names, marks;
    for (const column& c : t.columns) {
        const bool geom = t.geometry.count(c.name) > 0;
        if (!select.empty()) select += ", ", names += ", ", marks += ", ";
        select += geom ? "AsBinary(" + quoted(c.name) + ")" : quoted(c.name);
        names += quoted(c.name);
        marks += geom ? "ST_GeomFromWKB(?, " + std::to_string(t.geometry.at(c.name).srid) + ")" : "?";
    }
    // Keys are copied as they are ("OVERRIDING SYSTEM VALUE" is not needed: BY DEFAULT identities).
    auto insert_of = [&](std::size_t rows) {
        std::string sql = "INSERT INTO " + quoted(t.name) + " (" + names + ") VALUES ";
        for (std::size_t r = 0; r < rows; ++r) sql += (r ? ", (" : "(") + marks + ")";
        return sql;
    };
    std::vector<cell> pending;
    pending.reserve(batch * width);
    std::unique_ptr<sql::statement> full;
    auto flush = [&] {
        const std::size_t rows = pending.size() / width;
        if (rows == 0) return;
        std::unique_ptr<sql::statement> partial;
        if (rows == batch && !full) full = std::make_unique<sql::statement>(dst, insert_of(batch));
        if (rows != batch) partial = std::make_unique<sql::statement>(dst, insert_of(rows));
        sql::statement& ins = rows == batch ? *full : *partial;
        for (std::size_t i = 0; i < pending.size(); ++i) {
            const int k = static_cast<int>(i) + 1;
            const cell& v = pending[i];
            switch (v.what) {
                case cell::kind::null:
                    ins.bind_null(k);
                    break;
                case cell::kind::integer:
                    ins.bind(k, v.integer);
                    break;
                case cell::kind::real:
                    ins.bind(k, v.real);
                    break;
                case cell::kind::text:
                    ins.bind(k, v.bytes);
                    break;
                case cell::kind::blob:
                    ins.bind_blob(k, {reinterpret_cast<const unsigned char*>(v.bytes.data()), v.bytes.size()});
                    break;
            }
        }
        ins.run();
        pending.clear();
    };
    sqlite::statement q(src, "SELECT " + select + " FROM " + quoted(t.name) + " ORDER BY rowid");
    std::size_t n = 0;
    while (q.step()) {
        for (std::size_t i = 0; i < width; ++i) {
            const int c = static_cast<int>(i);
            const std::string& type = t.columns[i].type;
            cell v;
            if (q.is_null(c))
                v.what = cell::kind::null;
            else if (t.geometry.count(t.columns[i].name) || type == "BLOB") {
                const auto b = q.blob(c);
                v.what = cell::kind::blob;
                v.bytes.assign(reinterpret_cast<const char*>(b.data()), b.size());
            } else if (type == "INTEGER")
                v.what = cell::kind::integer, v.integer = q.integer(c);
            else if (type == "REAL")
                v.what = cell::kind::real, v.real = q.real(c);
            else
                v.what = cell::kind::text, v.bytes = q.text(c);
            pending.push_back(std::move(v));
        }
        ++n;
        if (pending.size() == batch * width) flush();
    }
    flush();
    return n;
}

// ---- from PostgreSQL into a new SpatiaLite file ----------------------------------------

// A column of a database table as the file gets it.
struct db_column {
    std::string name, type;  // INTEGER, REAL, TEXT, BLOB, or the geometry type (POINT, MULTIPOLYGON...)
    bool not_null = false, geometry = false, key = false;
    int srid = 0;
    std::string default_value;  // SQL literal or ""
};

struct db_table {
    std::string name;
    std::vector<db_column> columns;
    std::vector<std::string> key, uniques, indexes;  // indexes: CREATE INDEX in SQLite's words
    bool identity = false;                           // one integer key given by the database
    std::vector<std::string> spatial_indexes;        // geometry columns with a GiST index
};

// PostgreSQL's type name (format_type) in SQLite's affinity words; geometry(TYPE,SRID) parsed.
void classify(db_column& c, const std::string& pg_type) {
    static const std::regex geometry(R"(geometry\((\w+),(\d+)\))", std::regex::icase);
    std::smatch m;
    if (std::regex_match(pg_type, m, geometry)) {
        c.geometry = true;
        c.type = m[1].str();
        std::transform(c.type.begin(), c.type.end(), c.type.begin(), [](unsigned char ch) { return std::toupper(ch); });
        c.srid = std::stoi(m[2].str());
    } else if (pg_type == "bigint" || pg_type == "integer" || pg_type == "smallint" || pg_type == "boolean")
        c.type = "INTEGER";
    else if (pg_type == "double precision" || pg_type == "real" || pg_type.starts_with("numeric"))
        c.type = "REAL";
    else if (pg_type == "bytea")
        c.type = "BLOB";
    else
        c.type = "TEXT";
}

// A column default as SQLite takes it: 'text'::text -> 'text'; numbers as they are; anything
// else (sequences, functions) dropped.
std::string sqlite_default(const std::string& expr) {
    static const std::regex literal(R"(^('(?:[^']|'')*')(::[\w ]+)?$)"), number(R"(^-?[0-9.]+(::[\w ]+)?$)");
    std::smatch m;
    if (std::regex_match(expr, m, literal)) return m[1].str();
    if (std::regex_match(expr, number)) return expr.substr(0, expr.find("::"));
    return {};
}

db_table describe(postgres::connection& src, const std::string& name) {
    db_table t{name, {}, {}, {}, {}, false, {}};
    sql::statement cols(src,
                        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                        "coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity <> '' OR coalesce(pg_get_expr("
                        "d.adbin, d.adrelid), '') LIKE 'nextval(%' FROM pg_attribute a LEFT JOIN pg_attrdef d ON "
                        "d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = CAST(? AS regclass) AND "
                        "a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
    cols.bind(1, "\"" + name + "\"");
    std::vector<std::string> generated;
    while (cols.step()) {
        db_column c;
        c.name = cols.text(0);
        classify(c, cols.text(1));
        c.not_null = cols.text(2) == "t";
        c.default_value = sqlite_default(cols.text(3));
        if (cols.text(4) == "t") generated.push_back(c.name);
        t.columns.push_back(c);
    }
    sql::statement keys(src,
                        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum "
                        "= ANY(i.indkey) WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary ORDER BY "
                        "array_position(CAST(i.indkey AS int2[]), a.attnum)");
    keys.bind(1, "\"" + name + "\"");
    while (keys.step()) t.key.push_back(keys.text(0));
    for (auto& c : t.columns) c.key = std::find(t.key.begin(), t.key.end(), c.name) != t.key.end();
    t.identity = t.key.size() == 1 && generated.size() == 1 && generated[0] == t.key[0];
    sql::statement uniques(src,
                           "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(? AS regclass) "
                           "AND contype = 'u' ORDER BY conname");
    uniques.bind(1, "\"" + name + "\"");
    while (uniques.step()) t.uniques.push_back(uniques.text(0));
    // Indexes other than those of the constraints: B-tree ones as SQLite's, GiST ones as R*Trees.
    sql::statement idx(src,
                       "SELECT x.indexdef, am.amname, a.attname FROM pg_indexes x JOIN pg_class ic ON ic.relname = "
                       "x.indexname JOIN pg_index i ON i.indexrelid = ic.oid JOIN pg_am am ON am.oid = ic.relam LEFT "
                       "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE x.schemaname = "
                       "current_schema() AND x.tablename = ? AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM "
                       "pg_constraint k WHERE k.conindid = ic.oid) ORDER BY x.indexname");
    idx.bind(1, name);
    static const std::regex schema(R"( ON (ONLY )?[\w"]+\.)"), btree(R"( USING btree)");
    while (idx.step()) {
        if (idx.text(1) == "gist")
            t.spatial_indexes.push_back(idx.text(2));
        else if (idx.text(1) == "btree")
            t.indexes.push_back(std::regex_replace(std::regex_replace(idx.text(0), schema, " ON "), btree, ""));
    }
    return t;
}

std::string create_statement(const db_table& t) {
    std::string sql = "CREATE TABLE " + quoted(t.name) + " (";
    bool first = true;
    for (const db_column& c : t.columns) {
        if (c.geometry) continue;  // added by AddGeometryColumn
        sql += (first ? "" : ", ") + quoted(c.name) + " " + c.type;
        first = false;
        if (t.identity && c.key) {
            sql += " PRIMARY KEY AUTOINCREMENT";  // ids never given twice, as the store's own tables
            continue;
        }
        if (c.not_null) sql += " NOT NULL";
        if (!c.default_value.empty()) sql += " DEFAULT " + c.default_value;
    }
    if (!t.identity && !t.key.empty()) {
        sql += ", PRIMARY KEY (";
        for (std::size_t i = 0; i < t.key.size(); ++i) sql += (i ? ", " : "") + quoted(t.key[i]);
        sql += ")";
    }
    for (const std::string& u : t.uniques) sql += ", " + u;
    return sql + ")";
}

std::size_t copy_rows_to_file(postgres::connection& src, sqlite::connection& dst, const db_table& t) {
    std::string select, names, marks;
    for (const db_column& c : t.columns) {
        if (!select.empty()) select += ", ", names += ", ", marks += ", ";
        select += c.geometry ? "ST_AsBinary(" + quoted(c.name) + ")" : quoted(c.name);
        names += quoted(c.name);
        marks += c.geometry ? "GeomFromWKB(?, " + std::to_string(c.srid) + ")" : "?";
    }
    // Rows with automatic keys in key order; others in the order they were written (the store
    // reads tables without a key ORDER BY rowid, ctid in PostgreSQL). The database's change
    // counter means nothing in a file (its watcher reads the file).
    const std::string where = t.name == "microplan_meta" ? " WHERE key <> 'changes'" : "";
    const std::string order = t.identity ? quoted(t.key[0]) : "ctid";
    sql::statement q(src, "SELECT " + select + " FROM " + quoted(t.name) + where + " ORDER BY " + order);
    sqlite::statement ins(dst, "INSERT INTO " + quoted(t.name) + " (" + names + ") VALUES (" + marks + ")");
    std::size_t n = 0;
    while (q.step()) {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const int c = static_cast<int>(i), k = c + 1;
            const db_column& col = t.columns[i];
            if (q.is_null(c))
                ins.bind_null(k);
            else if (col.geometry || col.type == "BLOB")
                ins.bind_blob(k, q.blob(c));
            else if (col.type == "INTEGER")
                ins.bind(k, q.text(c) == "t" ? 1 : q.text(c) == "f" ? 0 : q.integer(c));
            else if (col.type == "REAL")
                ins.bind(k, q.real(c));
            else
                ins.bind(k, q.text(c));
        }
        ins.run();
        ++n;
    }
    return n;
}

copy_summary copy_to_file(const std::string& source, const std::string& destination) {
    namespace fs = std::filesystem;
    if (fs::exists(destination))
        throw store_error(at(destination), "destination exists",
                          "store copy writes a new file: remove it or name another");
    postgres::connection src(source);
    if (!src.has_table("microplan_meta"))
        throw store_error(at(src.path()), "not a planning store", "the database has no microplan_meta table");
    // One consistent view of the database, whatever other clients commit meanwhile.
    src.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::vector<db_table> tables;
    {
        sql::statement names(src,
                             "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                             "c.relkind = 'r' AND n.nspname = current_schema() AND c.relname <> 'spatial_ref_sys' "
                             "ORDER BY c.oid");
        std::vector<std::string> found;
        while (names.step()) found.push_back(names.text(0));
        for (const auto& name : found) tables.push_back(describe(src, name));
    }
    const std::string partial = destination + ".partial";
    fs::remove(partial);
    copy_summary out;
    try {
        sqlite::connection dst(partial, sqlite::connection::mode::create);
        dst.exec("SELECT InitSpatialMetadata(1, 'WGS84')");  // in a transaction of its own
        sqlite::transaction tx(dst);
        for (const db_table& t : tables) {
            dst.exec(create_statement(t));
            for (const db_column& c : t.columns)
                if (c.geometry) {
                    if (c.srid != 4326 && c.srid != 0)
                        dst.exec("SELECT InsertEpsgSrid(" + std::to_string(c.srid) + ")");
                    sqlite::statement add(dst, "SELECT AddGeometryColumn(?, ?, ?, ?, 'XY', ?)");
                    add.bind(1, t.name).bind(2, c.name).bind(3, static_cast<std::int64_t>(c.srid)).bind(4, c.type);
                    add.bind(5, static_cast<std::int64_t>(c.not_null ? 1 : 0));
                    if (!add.step() || add.integer(0) != 1)
                        throw store_error(
                            at(destination), "cannot add the geometry column",
                            t.name + "." + c.name + " (" + c.type + ", EPSG:" + std::to_string(c.srid) + ")");
                }
            out.rows += copy_rows_to_file(src, dst, t);
            ++out.tables;
            for (const std::string& col : t.spatial_indexes) {
                dst.exec("SELECT CreateSpatialIndex('" + t.name + "', '" + col + "')");
                ++out.indexes;
            }
            for (const std::string& index : t.indexes) {
                dst.exec(index);
                ++out.indexes;
            }
        }
        tx.commit();
    } catch (...) {
        fs::remove(partial);
        throw;
    }
    src.exec("COMMIT");
    fs::rename(partial, destination);
    return out;
}

}  // namespace

copy_summary copy_store(const std::string& source, const std::string& destination) {
    if (postgres::is_uri(source) && !postgres::is_uri(destination)) return copy_to_file(source, destination);
    if (!postgres::is_uri(destination))
        throw store_error(at(destination), "not a database",
                          "store copy moves a store between a SpatiaLite file and PostgreSQL: one of the two must be "
                          "a postgresql:// URI");
    if (postgres::is_uri(source))
        throw store_error(at(postgres::redacted(source)), "both are databases",
                          "to copy between two databases use PostgreSQL's own tools (pg_dump | pg_restore)");
    sqlite::connection src(source, sqlite::connection::mode::read_only);
    if (!src.has_table("microplan_meta"))
        throw store_error(at(source), "not a planning store", "it has no microplan_meta table");
    postgres::connection dst(destination);
    if (dst.has_table("microplan_meta"))
        throw store_error(at(dst.path()), "destination not empty",
                          "the database already holds a planning store; copy into an empty database");
    std::map<std::string, std::map<std::string, geometry_column>> geometry;
    if (src.has_table("geometry_columns")) {
        sqlite::statement g(src,
                            "SELECT f_table_name, f_geometry_column, geometry_type, srid, spatial_index_enabled FROM "
                            "geometry_columns");
        while (g.step())
            geometry[g.text(0)][g.text(1)] = {geometry_type(static_cast<int>(g.integer(2))),
                                              static_cast<int>(g.integer(3)), g.integer(4) != 0};
    }
    std::vector<table_plan> tables;
    std::vector<std::string> indexes;
    {
        sqlite::statement m(src,
                            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN "
                            "('table', 'index') ORDER BY type DESC, rootpage");
        while (m.step()) {
            const std::string type = m.text(0), name = m.text(1), table = m.text(2);
            if (spatialite_internal(name) || spatialite_internal(table) || m.text(3).starts_with("CREATE VIRTUAL"))
                continue;
            if (type == "table")
                tables.push_back(plan_table(src, name, m.text(3), geometry[name]));
            else
                indexes.push_back(m.text(3));
        }
    }
    copy_summary out;
    sql::transaction tx(dst);
    dst.exec("CREATE EXTENSION IF NOT EXISTS postgis");
    for (const table_plan& t : tables) dst.exec(t.create);
    for (const table_plan& t : tables) {
        out.rows += copy_rows(src, dst, t);
        ++out.tables;
        if (t.identity)  // the next automatic key follows the copied ones
            dst.exec("SELECT setval(pg_get_serial_sequence('" + t.name + "', '" + t.key + "'), COALESCE((SELECT " +
                     "MAX(" + quoted(t.key) + ") FROM " + quoted(t.name) + "), 0) + 1, false)");
        for (const auto& [col, g] : t.geometry)
            if (g.indexed) {
                dst.exec("CREATE INDEX " + quoted(t.name + "_" + col) + " ON " + quoted(t.name) + " USING GIST (" +
                         quoted(col) + ")");
                ++out.indexes;
            }
    }
    for (const std::string& index : indexes) {
        dst.exec(index);
        ++out.indexes;
    }
    // Every later write, by microplan or any other client (QGIS), moves the change counter that
    // servers on the database watch.
    std::vector<std::string> names;
    for (const table_plan& t : tables) names.push_back(t.name);
    spatialite::watch_tables(dst, names);
    tx.commit();
    return out;
}

}  // namespace microplan::geo::store
