#pragma once
// Reading a small planning table (CSV or any table GDAL reads) by column names as the docs write
// them: shared by the budget scenarios, budget paths and sectors readers. Internal to planning.
#include <gdal_priv.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo::planning_tables {

// Rows of a table, each with its data line (2 = the first after the header).
struct table_reader {
    std::string path;
    GDALDatasetUniquePtr ds;
    OGRFeatureDefn* defn = nullptr;
    std::string problems;

    explicit table_reader(const std::string& p) : path(p), ds(gdal::open_table(p)) {
        defn = ds->GetLayer(0)->GetLayerDefn();
    }
    // Keys as written in docs ("gdp_year"), compared as field_key compares names.
    int column(std::initializer_list<const char*> keys) const { return column(std::vector<const char*>(keys)); }
    int column(const std::vector<const char*>& keys) const {
        std::vector<std::string> folded;
        for (const char* k : keys) folded.push_back(names::field_key(k));
        return find_column(defn, folded).value_or(-1);
    }
    void require(int c, const char* name, const char* what) const {
        if (c < 0)
            throw format_error({path, {}, {}, name, {}}, "missing column",
                               std::string("the ") + what + " has no " + name + " column");
    }
    void bad(long long line, const std::string& col, const std::string& msg) {
        problems += "\n  " + path + ", line " + std::to_string(line) + ", column " + col + ": " + msg;
    }
};

inline std::string text_of(OGRFeature& f, int c) { return c < 0 ? std::string{} : std::string(f.GetFieldAsString(c)); }
// The cell without the spaces (and a CSV's carriage return) around it; "" when unset.
inline std::string trimmed_text(OGRFeature& f, int c) {
    std::string v = c < 0 || !f.IsFieldSetAndNotNull(c) ? std::string{} : std::string(f.GetFieldAsString(c));
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    return v;
}

// One row's checks: every failure is reported with its line and column.
struct row_check {
    const std::string& path;
    long long line;
    findings& report;
    const char* prefix;  // of the rules: "projects."
    void add(severity sev, const std::string& column, const std::string& rule, const std::string& message) {
        report.add(cell_finding(sev, prefix + rule, path, line, column, message));
    }
    void fail(const std::string& column, const std::string& rule, const std::string& message) {
        add(severity::error, column, rule, message);
    }
    // A number in `range` (empty: nullopt).
    std::optional<double> number(const std::string& text, const std::string& column, const bounds::interval& range) {
        if (text.empty()) return std::nullopt;
        auto v = parse_number(text);
        if (!v) {
            fail(column, "not_a_number", "'" + text + "' is not a number");
            return std::nullopt;
        }
        if (!bounds::within(*v, range)) {
            fail(column, "out_of_range", bounds::violation(*v, range));
            return std::nullopt;
        }
        return v;
    }
};

// Throws format_error listing every error of `report` (nothing is written then); else gives the
// warnings back to the caller's report.
inline void hand_back(const std::string& path, const char* what, const findings& report, findings* out) {
    if (report.has_errors())
        throw format_error(
            {path, {}, {}, {}, {}}, what,
            std::to_string(report.count(severity::error)) + " problem(s), nothing written:" + report.error_lines());
    if (out) out->append(report);
}

// The items of a list cell split at any of `separators`, each without the spaces around it;
// empty items are left out ("zone; district", "2025-06: diseño; 2026-06: apertura").
inline std::vector<std::string> list_items(const std::string& text, const char* separators) {
    std::vector<std::string> out;
    for (std::size_t from = 0; from <= text.size();) {
        const std::size_t to = std::min(text.find_first_of(separators, from), text.size());
        std::string item = text.substr(from, to - from);
        from = to + 1;
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) out.push_back(std::move(item));
    }
    return out;
}

}  // namespace microplan::geo::planning_tables
