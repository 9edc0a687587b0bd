#include <cmath>
#include <set>

#include "spatialite.hpp"

namespace microplan::geo::store::spatialite {

namespace {

void ensure_table(sql::connection& db) {
    if (db.has_table("establishments")) return;
    std::string codes;
    for (level l : all_levels) codes += ", " + std::string(level_name(l)) + "_code TEXT";
    db.exec(
        "CREATE TABLE establishments (fid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, name TEXT,"
        " sector TEXT NOT NULL, typology TEXT, capacity REAL, condition TEXT, staff INTEGER,"
        " status TEXT NOT NULL DEFAULT 'existing'" +
        codes + ", placement TEXT NOT NULL, distance_m REAL, nearest_code TEXT, source TEXT, source_row INTEGER)");
    dialect::add_geometry(db, "establishments", "POINT", false, true);
    db.exec("CREATE INDEX establishments_sector ON establishments(sector, status)");
    for (level l : {level::zone, level::district, level::circuit})
        db.exec("CREATE INDEX establishments_" + std::string(level_name(l)) + " ON establishments(" +
                std::string(level_name(l)) + "_code)");
}

// Who runs an establishment and the level a by-code placement reached are columns added when a
// write first carries them (ALTER TABLE): a store without them (an older one, or the demo's,
// which has no providers) keeps its schema byte for byte and reads as "unknown provider"
// (counted as public offer) and "no level" (placed by coordinates). Older builds ignore the
// columns, so schema_version stays 1.
constexpr const char* detail_columns[] = {"provider", "provider_source", "placement_level"};

bool has_details(sql::connection& db) { return db.has_column("establishments", detail_columns[0]); }

bool carries_details(std::span<const establishment> rows, std::span<const point_assignment> placed) {
    for (const auto& e : rows)
        if (!e.provider.empty() || !e.provider_source.empty()) return true;
    for (const auto& a : placed)
        if (a.reached) return true;
    return false;
}

void ensure_details(sql::connection& db) {
    for (const char* c : detail_columns)
        if (!db.has_column("establishments", c))
            db.exec(std::string("ALTER TABLE establishments ADD COLUMN ") + c + " TEXT");
}

// The history of establishments (opened, closed, rehabilitated: ISO dates), added the same way
// when a write first carries one.
constexpr const char* date_columns[] = {"opened", "closed", "rehabilitated"};

bool has_dates(sql::connection& db) { return db.has_column("establishments", date_columns[0]); }

bool carries_dates(std::span<const establishment> rows) {
    for (const auto& e : rows)
        if (!e.opened.empty() || !e.closed.empty() || !e.rehabilitated.empty()) return true;
    return false;
}

void ensure_dates(sql::connection& db) {
    for (const char* c : date_columns)
        if (!db.has_column("establishments", c))
            db.exec(std::string("ALTER TABLE establishments ADD COLUMN ") + c + " TEXT");
}

void bind_text_or_null(sql::statement& st, int k, const std::string& v) {
    if (v.empty())
        st.bind_null(k);
    else
        st.bind(k, v);
}

void bind_codes(sql::statement& st, int first, const point_assignment& a) {
    for (std::size_t i = 0; i < level_count; ++i) {
        if (a.codes[i].empty())
            st.bind_null(first + static_cast<int>(i));
        else
            st.bind(first + static_cast<int>(i), a.codes[i]);
    }
    int k = first + static_cast<int>(level_count);
    st.bind(k, placement_name(a.where));
    if (a.distance_m)
        st.bind(k + 1, *a.distance_m);
    else
        st.bind_null(k + 1);
    if (a.nearest_code.empty())
        st.bind_null(k + 2);
    else
        st.bind(k + 2, a.nearest_code);
}

// INSERT of one establishment with every column the table has (`with_fid`: the fid given).
sql::statement insert_statement(sql::connection& db, bool details, bool dates, bool with_fid) {
    std::string cols, marks;
    for (level l : all_levels) {
        cols += ", " + std::string(level_name(l)) + "_code";
        marks += ", ?";
    }
    return sql::statement(
        db, "INSERT INTO establishments (id, name, sector, typology, capacity, condition, staff, status" + cols +
                ", placement, distance_m, nearest_code, source, source_row, geom" +
                (details ? ", provider, provider_source, placement_level" : "") +
                (dates ? ", opened, closed, rehabilitated" : "") + (with_fid ? ", fid" : "") +
                ")"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?" +
                marks + ", ?, ?, ?, ?, ?, " + dialect::point_from_xy(db) + (details ? ", ?, ?, ?" : "") +
                (dates ? ", ?, ?, ?" : "") + (with_fid ? ", ?" : "") + ")");
}

// Binds `e` placed as `a` to an insert_statement; returns the next parameter (the fid's).
int bind_row(sql::statement& ins, const establishment& e, const point_assignment& a, const std::string& source,
             bool details, bool dates) {
    bind_text_or_null(ins, 1, e.id);
    bind_text_or_null(ins, 2, e.name);
    ins.bind(3, e.sector);
    bind_text_or_null(ins, 4, e.typology);
    if (e.capacity)
        ins.bind(5, *e.capacity);
    else
        ins.bind_null(5);
    bind_text_or_null(ins, 6, e.condition);
    if (e.staff)
        ins.bind(7, static_cast<std::int64_t>(*e.staff));
    else
        ins.bind_null(7);
    ins.bind(8, e.status);
    bind_codes(ins, 9, a);
    int k = 9 + static_cast<int>(level_count) + 3;
    ins.bind(k, source);
    ins.bind(k + 1, static_cast<std::int64_t>(e.row));
    // MakePoint(NULL, NULL) is NULL: only rows without numeric coordinates lose their
    // geometry; (0, 0) and out-of-range points are kept as given, placement 'invalid'.
    if (!std::isfinite(e.lon) || !std::isfinite(e.lat)) {
        ins.bind_null(k + 2);
        ins.bind_null(k + 3);
    } else {
        ins.bind(k + 2, e.lon);
        ins.bind(k + 3, e.lat);
    }
    int next = k + 4;
    if (details) {
        bind_text_or_null(ins, next, e.provider);
        bind_text_or_null(ins, next + 1, e.provider_source);
        bind_text_or_null(ins, next + 2, a.reached ? std::string(level_name(*a.reached)) : "");
        next += 3;
    }
    if (dates) {
        bind_text_or_null(ins, next, e.opened);
        bind_text_or_null(ins, next + 1, e.closed);
        bind_text_or_null(ins, next + 2, e.rehabilitated);
        next += 3;
    }
    return next;
}

}  // namespace

void write_establishments(sql::connection& db, std::span<const establishment> rows,
                          std::span<const point_assignment> placed, const import_record& record, const findings& report,
                          establishment_write_mode mode) {
    ensure_table(db);
    if (carries_details(rows, placed)) ensure_details(db);
    const bool details = has_details(db);
    if (carries_dates(rows)) ensure_dates(db);
    const bool dates = has_dates(db);
    if (mode == establishment_write_mode::replace_sectors) {
        std::set<std::string> sectors;
        for (const auto& e : rows) sectors.insert(e.sector);
        sql::statement del(db, "DELETE FROM establishments WHERE sector = ?");
        for (const auto& s : sectors) del.bind(1, s).run();
    }
    sql::statement ins = insert_statement(db, details, dates, false);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        bind_row(ins, rows[i], placed[i], record.source, details, dates);
        ins.run();
    }
    record_import(db, "establishments", record, rows.size(), report);
}

namespace {
// Every establishment, or the one with fid `only`.
std::vector<stored_establishment> read_rows(sql::connection& db, std::optional<std::int64_t> only) {
    std::vector<stored_establishment> out;
    if (!db.has_table("establishments")) return out;
    std::string codes;
    for (level l : all_levels) codes += ", " + std::string(level_name(l)) + "_code";
    const bool details = has_details(db), dates = has_dates(db);
    const int first_detail = 12 + static_cast<int>(level_count);
    const int first_date = first_detail + (details ? 3 : 0);
    sql::statement q(db, "SELECT fid, id, name, sector, typology, capacity, condition, staff, status, " +
                             std::string(dialect::x_of_geom(db)) + ", " + dialect::y_of_geom(db) + ", placement" +
                             codes + (details ? ", provider, provider_source, placement_level" : "") +
                             (dates ? ", opened, closed, rehabilitated" : "") + " FROM establishments" +
                             (only ? " WHERE fid = ?" : "") + " ORDER BY fid");
    if (only) q.bind(1, *only);
    while (q.step()) {
        stored_establishment s;
        establishment& e = s.attributes;
        e.row = q.integer(0);
        e.id = q.text(1);
        e.name = q.text(2);
        e.sector = q.text(3);
        e.typology = q.text(4);
        if (!q.is_null(5)) e.capacity = q.real(5);
        e.condition = q.text(6);
        if (!q.is_null(7)) e.staff = q.integer(7);
        e.status = q.text(8);
        if (!q.is_null(9)) {
            e.lon = q.real(9);
            e.lat = q.real(10);
        }
        s.placement = q.text(11);
        for (std::size_t i = 0; i < level_count; ++i) s.codes[i] = q.text(12 + static_cast<int>(i));
        if (details) {
            e.provider = q.text(first_detail);
            e.provider_source = q.text(first_detail + 1);
            s.placement_level = q.text(first_detail + 2);
        }
        if (dates) {
            e.opened = q.text(first_date);
            e.closed = q.text(first_date + 1);
            e.rehabilitated = q.text(first_date + 2);
        }
        out.push_back(std::move(s));
    }
    return out;
}
}  // namespace

std::vector<stored_establishment> read_establishments(sql::connection& db) { return read_rows(db, std::nullopt); }

std::optional<stored_establishment> read_establishment(sql::connection& db, std::int64_t fid) {
    auto rows = read_rows(db, fid);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::int64_t insert_establishment(sql::connection& db, const establishment& row, const point_assignment& placed,
                                  const std::string& source, std::optional<std::int64_t> fid) {
    ensure_table(db);
    const std::span<const establishment> one(&row, 1);
    const std::span<const point_assignment> where(&placed, 1);
    if (carries_details(one, where)) ensure_details(db);
    if (carries_dates(one)) ensure_dates(db);
    const bool details = has_details(db), dates = has_dates(db);
    sql::transaction tx(db);  // a replacement: the old row goes and the new one comes at once
    if (fid) sql::statement(db, "DELETE FROM establishments WHERE fid = ?").bind(1, *fid).run();
    sql::statement ins = insert_statement(db, details, dates, fid.has_value());
    const int next = bind_row(ins, row, placed, source, details, dates);
    if (fid) ins.bind(next, *fid);
    ins.run();
    const std::int64_t out = fid ? *fid : db.last_insert_id();
    tx.commit();
    return out;
}

bool delete_establishment(sql::connection& db, std::int64_t fid) {
    if (!db.has_table("establishments")) return false;
    sql::statement del(db, "DELETE FROM establishments WHERE fid = ?");
    del.bind(1, fid).run();
    return db.changes() > 0;
}

void update_assignments(sql::connection& db, std::span<const establishment> rows,
                        std::span<const point_assignment> placed) {
    if (carries_details({}, placed)) ensure_details(db);
    const bool details = has_details(db);
    std::string sets;
    for (level l : all_levels) sets += std::string(level_name(l)) + "_code = ?, ";
    sql::statement up(db, "UPDATE establishments SET " + sets + "placement = ?, distance_m = ?, nearest_code = ?" +
                              (details ? ", placement_level = ?" : "") + " WHERE fid = ?");
    const int k = static_cast<int>(level_count) + 4;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        bind_codes(up, 1, placed[i]);
        if (details) bind_text_or_null(up, k, placed[i].reached ? std::string(level_name(*placed[i].reached)) : "");
        up.bind(details ? k + 1 : k, static_cast<std::int64_t>(rows[i].row));
        up.run();
    }
}

}  // namespace microplan::geo::store::spatialite
