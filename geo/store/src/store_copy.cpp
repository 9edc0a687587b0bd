#include "microplan/geo/store/store_copy.hpp"

#include <map>
#include <regex>
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
    std::string key, key_type;
    while (cols.step()) {
        t.columns.push_back({cols.text(0), cols.text(1)});
        if (cols.integer(2) > 0) ++keys, key = cols.text(0), key_type = cols.text(1);
    }
    if (keys == 1 && key_type == "INTEGER") t.identity = true, t.key = key;
    // The geometry columns SpatiaLite appended ("geom" MULTIPOLYGON NOT NULL DEFAULT ''): PostGIS types.
    for (const auto& [col, g] : geometry) {
        const std::regex decl("\"?" + col + "\"?\\s+" + g.type + "(\\s+NOT\\s+NULL)?(\\s+DEFAULT\\s+'')?",
                              std::regex::icase);
        t.create = std::regex_replace(t.create, decl,
                                      quoted(col) + " geometry(" + g.type + ", " + std::to_string(g.srid) + ")$1");
    }
    return t;
}

std::size_t copy_rows(sqlite::connection& src, sql::connection& dst, const table_plan& t) {
    std::string select, names, marks;
    for (const column& c : t.columns) {
        const bool geom = t.geometry.count(c.name) > 0;
        if (!select.empty()) select += ", ", names += ", ", marks += ", ";
        select += geom ? "AsBinary(" + quoted(c.name) + ")" : quoted(c.name);
        names += quoted(c.name);
        marks += geom ? "ST_GeomFromWKB(?, " + std::to_string(t.geometry.at(c.name).srid) + ")" : "?";
    }
    sqlite::statement q(src, "SELECT " + select + " FROM " + quoted(t.name) + " ORDER BY rowid");
    // Keys are copied as they are ("OVERRIDING SYSTEM VALUE" is not needed: BY DEFAULT identities).
    sql::statement ins(dst, "INSERT INTO " + quoted(t.name) + " (" + names + ") VALUES (" + marks + ")");
    std::size_t n = 0;
    while (q.step()) {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const int c = static_cast<int>(i);
            const int k = c + 1;
            const std::string& type = t.columns[i].type;
            if (q.is_null(c))
                ins.bind_null(k);
            else if (t.geometry.count(t.columns[i].name) || type == "BLOB")
                ins.bind_blob(k, q.blob(c));
            else if (type == "INTEGER")
                ins.bind(k, q.integer(c));
            else if (type == "REAL")
                ins.bind(k, q.real(c));
            else
                ins.bind(k, q.text(c));
        }
        ins.run();
        ++n;
    }
    return n;
}

}  // namespace

copy_summary copy_store(const std::string& source, const std::string& destination) {
    if (!postgres::is_uri(destination))
        throw store_error(at(destination), "not a database",
                          "store copy writes into PostgreSQL: give a postgresql:// URI as the destination");
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
