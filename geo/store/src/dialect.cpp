#include "dialect.hpp"

namespace microplan::geo::store::dialect {

void init_spatial(sql::connection& db) {
    if (postgres(db))
        db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
    else if (!db.has_table("spatial_ref_sys"))
        db.exec("SELECT InitSpatialMetadata(0, 'WGS84')");
}

void add_geometry(sql::connection& db, const std::string& table, const std::string& type, bool not_null, bool index) {
    if (postgres(db)) {
        db.exec("ALTER TABLE " + table + " ADD COLUMN geom geometry(" + type + ", 4326)" +
                (not_null ? " NOT NULL" : ""));
        if (index) db.exec("CREATE INDEX " + table + "_geom ON " + table + " USING GIST (geom)");
        return;
    }
    db.exec("SELECT AddGeometryColumn('" + table + "', 'geom', 4326, '" + type + "', 'XY'" +
            (not_null ? ", 1)" : ", 0)"));
    if (index) db.exec("SELECT CreateSpatialIndex('" + table + "', 'geom')");
}

const char* multipolygon_from_wkb(const sql::connection& db) {
    return postgres(db) ? "ST_Multi(ST_GeomFromWKB(?, 4326))" : "CastToMultiPolygon(GeomFromWKB(?, 4326))";
}
const char* point_from_xy(const sql::connection& db) {
    return postgres(db) ? "ST_SetSRID(ST_MakePoint(CAST(? AS double precision), CAST(? AS double precision)), 4326)"
                        : "MakePoint(?, ?, 4326)";
}
const char* x_of_geom(const sql::connection& db) { return postgres(db) ? "ST_X(geom)" : "X(geom)"; }
const char* y_of_geom(const sql::connection& db) { return postgres(db) ? "ST_Y(geom)" : "Y(geom)"; }
const char* wkb_of_geom(const sql::connection& db) { return postgres(db) ? "ST_AsBinary(geom)" : "AsBinary(geom)"; }

void restart_key(sql::connection& db, const std::string& table) {
    if (postgres(db))
        db.exec("ALTER TABLE " + table + " ALTER COLUMN fid RESTART WITH 1");
    else
        db.exec("DELETE FROM sqlite_sequence WHERE name = '" + table + "'");
}

bool in_primary_key(sql::connection& db, const std::string& table, const std::string& column) {
    if (postgres(db)) {
        sql::statement q(db,
                         "SELECT 1 FROM information_schema.table_constraints t JOIN "
                         "information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND "
                         "k.table_schema = t.table_schema WHERE t.table_schema = current_schema() AND t.table_name = ? "
                         "AND t.constraint_type = 'PRIMARY KEY' AND k.column_name = ?");
        q.bind(1, table).bind(2, column);
        return q.step();
    }
    sql::statement q(db, "SELECT pk FROM pragma_table_info(?) WHERE name = ?");
    q.bind(1, table).bind(2, column);
    return q.step() && q.integer(0) > 0;
}

}  // namespace microplan::geo::store::dialect
