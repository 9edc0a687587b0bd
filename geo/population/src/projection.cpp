#include "microplan/geo/population/projection.hpp"

#include <algorithm>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

projection_table read_projections(const std::string& path) {
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = *ds->GetLayer(0);
    where.layer = layer.GetName();
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto province_col = find_column(defn, {"provincia", "province"});
    auto canton_col = find_column(defn, {"canton"});
    if (!province_col) throw format_error(where, "missing column", "the projections table has no provincia column");
    if (!canton_col) throw format_error(where, "missing column", "the projections table has no canton column");
    int province = *province_col, canton = *canton_col;
    std::vector<std::pair<int, int>> year_columns;  // field index, year
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        std::string key = names::field_key(defn->GetFieldDefn(i)->GetNameRef());
        if (key.size() == 4 && std::all_of(key.begin(), key.end(), ::isdigit))
            year_columns.emplace_back(i, std::stoi(key));
    }
    if (year_columns.empty())
        throw format_error(where, "missing column", "the projections table has no year columns (2010, 2011, ...)");
    projection_table t;
    t.path = path;
    for (auto [i, y] : year_columns) t.years.push_back(y);
    long long line = 1;
    for (auto& f : layer) {
        ++line;
        projection_row r;
        r.line = line;
        r.province = f->GetFieldAsString(province);
        r.canton = f->GetFieldAsString(canton);
        for (auto [i, y] : year_columns) {
            std::string text = f->GetFieldAsString(i);
            auto v = parse_number(text);
            if (!v || *v < 0)
                throw format_error({path, where.layer, line, defn->GetFieldDefn(i)->GetNameRef(), {}},
                                   "not a population", "'" + text + "' is not a number of people");
            if (!bounds::within(*v, bounds::people))
                throw format_error({path, where.layer, line, defn->GetFieldDefn(i)->GetNameRef(), {}},
                                   "population out of range",
                                   "the projection " + bounds::violation(text, bounds::people));
            r.people[y] = *v;
        }
        t.rows.push_back(std::move(r));
    }
    return t;
}

canton_projection match_projections(const projection_table& table, const unit_layer& cantons,
                                    const unit_layer& provinces) {
    canton_projection out;
    std::map<std::string, std::string> province_name;
    for (const auto& p : provinces.units) province_name[p.code] = p.name;
    std::vector<bool> used(table.rows.size(), false);
    // The rows a canton's name matches best, among rows not taken yet; within its province
    // unless `anywhere`.
    auto candidates = [&](const unit& c, bool anywhere) {
        auto pname = province_name.find(c.code.substr(0, 2));
        int best = 0;
        std::vector<std::size_t> hits;
        for (std::size_t i = 0; i < table.rows.size(); ++i) {
            const auto& r = table.rows[i];
            if (used[i]) continue;
            if (!anywhere && pname != province_name.end() && names::match_quality(r.province, pname->second) == 0)
                continue;
            int q = names::match_quality(r.canton, c.name);
            if (q == 0 || q < best) continue;
            if (q > best) hits.clear();
            best = q;
            hits.push_back(i);
        }
        return std::pair{best, hits};
    };
    // Pass 1: exact names and same variants; pass 2: looser matches among the rows left
    // ("Distrito Metropolitano de Quito" for QUITO once PUERTO QUITO took its own row);
    // pass 3: an exact name in another province (La Concordia, coded in Esmeraldas, listed
    // under Santo Domingo).
    std::map<std::string, std::size_t> ambiguous;
    for (int pass = 1; pass <= 3; ++pass)
        for (const auto& c : cantons.units) {
            if (out.by_canton.count(c.code)) continue;
            auto [q, hits] = candidates(c, pass == 3);
            if (hits.empty() || (pass == 1 && q < 2) || (pass == 3 && q < 3)) continue;
            if (hits.size() > 1) {
                ambiguous[c.code] = hits.size();
                continue;
            }
            ambiguous.erase(c.code);
            used[hits[0]] = true;
            out.by_canton[c.code] = table.rows[hits[0]].people;
            if (pass == 3) {
                finding f;
                f.rule = "projection.other_province";
                f.lvl = level::canton;
                f.code = c.code;
                f.message = "canton " + c.code + " " + c.name + " matched row " +
                            std::to_string(table.rows[hits[0]].line) + " of " + table.path +
                            ", listed under province " + table.rows[hits[0]].province;
                out.report.add(std::move(f));
            }
        }
    for (const auto& c : cantons.units) {
        if (out.by_canton.count(c.code)) continue;
        finding f;
        f.rule = ambiguous.count(c.code) ? "projection.canton_ambiguous" : "projection.canton_unmatched";
        f.lvl = level::canton;
        f.code = c.code;
        f.message =
            "canton " + c.code + " " + c.name +
            (ambiguous.count(c.code) ? " matches " + std::to_string(ambiguous[c.code]) + " rows of " + table.path
                                     : " has no row in " + table.path);
        out.report.add(std::move(f));
    }
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        if (used[i]) continue;
        finding f;
        f.rule = "projection.row_unmatched";
        f.feature = table.rows[i].line;
        f.message = table.path + ", line " + std::to_string(table.rows[i].line) + ": " + table.rows[i].canton + " (" +
                    table.rows[i].province + ") matches no canton";
        out.report.add(std::move(f));
    }
    return out;
}

std::map<int, population_values> project_values(const population_values& base, int base_year,
                                                const std::map<std::string, std::string>& canton_of_unit,
                                                const canton_projection& projection, int first_year, int last_year,
                                                findings& report) {
    std::map<int, population_values> out;
    std::size_t unprojected = 0;
    for (int year = first_year; year <= last_year; ++year) {
        population_values v;
        for (const auto& [band, values] : base)
            for (const auto& [code, people] : values) {
                double factor = 1;
                auto c = canton_of_unit.find(code);
                if (c != canton_of_unit.end()) {
                    auto p = projection.by_canton.find(c->second);
                    if (p != projection.by_canton.end() && p->second.count(base_year) && p->second.count(year) &&
                        p->second.at(base_year) > 0)
                        factor = p->second.at(year) / p->second.at(base_year);
                    else if (year == first_year && band == total_band)
                        ++unprojected;
                } else if (year == first_year && band == total_band) {
                    ++unprojected;
                }
                v[band][code] = people * factor;
            }
        out.emplace(year, std::move(v));
    }
    if (unprojected) {
        finding f;
        f.rule = "projection.unit_unprojected";
        f.message = std::to_string(unprojected) + " unit(s) have no projected canton (or the table lacks year " +
                    std::to_string(base_year) + "); they keep their base-year population";
        report.add(std::move(f));
    }
    return out;
}

}  // namespace microplan::geo
