#pragma once
// Reading a small planning table (CSV or any table GDAL reads) by column names as the docs write
// them: shared by the budget scenarios, budget paths and sectors readers. Internal to planning.
#include <gdal_priv.h>

#include <string>
#include <vector>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/fields.hpp"
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

}  // namespace microplan::geo::planning_tables
