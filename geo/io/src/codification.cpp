#include "microplan/geo/io/codification.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/io/vector_import.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

namespace {

// A CSV table read with every column as text (codes like 090150 keep their zeros), and the
// columns it must have.
struct text_table {
    GDALDatasetUniquePtr ds;
    OGRLayer* layer = nullptr;
    error_location where;

    static text_table open(const std::string& path, const char* what) {
        gdal::ensure_registered();
        text_table t;
        t.where = {path, {}, {}, {}, {}};
        const char* open_opts[] = {"AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO", nullptr};
        const char* drivers[] = {"CSV", nullptr};
        t.ds.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, open_opts, nullptr));
        if (!t.ds) {
            GDALDatasetUniquePtr probe = gdal::open_vector(path);  // throws the precise reason
            throw format_error(t.where, "not a CSV table", std::string(what) + " must be CSV");
        }
        t.layer = t.ds->GetLayer(0);
        t.where.layer = t.layer->GetName();
        return t;
    }
    [[nodiscard]] OGRFeatureDefn* defn() const { return layer->GetLayerDefn(); }
    [[nodiscard]] int need(std::optional<int> c, const char* what) const {
        if (!c) throw format_error(where, "missing column", std::string("the table has no ") + what + " column");
        return *c;
    }
};

}  // namespace

std::vector<urban_parish> read_urban_parishes(const std::string& path) {
    text_table t = text_table::open(path, "the urban parish classifier");
    int code = t.need(find_column(t.defn(), {"dpaparurb", "codparurb"}), "DPA_PARURB (urban parish code)");
    int name = t.need(find_column(t.defn(), {"dpadesparurb", "nomparurb"}), "DPA_DESPARURB (urban parish name)");
    int seat = t.need(find_column(t.defn(), {"dpaparroq", "codparroquia"}), "DPA_PARROQ (seat parish code)");
    std::vector<urban_parish> out;
    for (auto& f : *t.layer)
        out.push_back({normalise_code(level::parish, f->GetFieldAsString(code)), f->GetFieldAsString(name),
                       normalise_code(level::parish, f->GetFieldAsString(seat))});
    return out;
}

codification_table codification_table::read(const std::string& path) {
    text_table tt = text_table::open(path, "the codification table");
    const error_location& where = tt.where;
    OGRLayer& layer = *tt.layer;
    OGRFeatureDefn* defn = tt.defn();
    auto need = [&](std::optional<int> c, const char* what) { return tt.need(c, what); };
    int zone = need(find_column(defn, {"zona", "zone"}), "ZONA (zone)");
    int district =
        need(find_column(defn, {"coddistrito", "coddistri", "districtcode"}), "COD. DISTRITO (district code)");
    int province = need(find_column(defn, {"provinciaosubzona", "provincia", "province"}), "PROVINCIA (province)");
    int canton = need(find_column(defn, {"canton"}), "CANTÓN (canton)");
    auto parish = find_column(defn, {"parroquia", "parish"});
    auto parish_code = find_column(defn, {"dpaparroqbyexactname", "dpaparroq", "codparroquia"});
    auto district_name = find_column(defn, {"nombredistrito", "nomdistrito"});
    auto circuit = find_column(defn, {"codcircuito", "circuitcode"});
    auto circuit_name = find_column(defn, {"nombrecircuito", "nomcircuito"});

    codification_table t;
    t.path_ = path;
    long long line = 0;
    for (auto& f : layer) {
        ++line;
        auto get = [&](std::optional<int> c) { return c ? std::string(f->GetFieldAsString(*c)) : std::string{}; };
        codification_row r;
        r.line = line;
        r.zone = normalise_code(level::zone, get(zone));
        r.district = normalise_code(level::district, get(district));
        r.province = get(province);
        r.canton = get(canton);
        r.parish = get(parish);
        r.parish_code = get(parish_code).empty() ? "" : normalise_code(level::parish, get(parish_code));
        r.district_name = get(district_name);
        r.circuit = get(circuit).empty() ? "" : normalise_code(level::circuit, get(circuit));
        r.circuit_name = get(circuit_name);
        if (!code_is_well_formed(level::district, r.district))
            throw format_error(error_location{path, where.layer, line, "COD. DISTRITO", {}}, "malformed district code",
                               "'" + get(district) + "' is not like 17D06");
        t.rows_.push_back(std::move(r));
    }
    if (t.rows_.empty()) throw format_error(where, "empty table", "the codification table has no rows");
    return t;
}

std::map<std::string, std::string> codification_table::zone_of_district(findings& report) const {
    std::map<std::string, std::string> out;
    std::set<std::string> reported;
    for (const auto& r : rows_) {
        auto [it, fresh] = out.emplace(r.district, r.zone);
        if (!fresh && it->second != r.zone && reported.insert(r.district).second)
            report.add({severity::error, "codification.zone_conflict", level::district, r.district, r.line,
                        "listed in zone " + it->second + " and in zone " + r.zone, std::nullopt, std::nullopt,
                        std::nullopt});
    }
    return out;
}

std::map<std::string, std::string> codification_table::district_names() const {
    std::map<std::string, std::string> out;
    for (const auto& r : rows_) out.emplace(r.district, r.district_name);
    return out;
}

canton_districts codification_table::match_cantons(const unit_layer& cantons) const {
    canton_districts m;
    // Distinct (province code, canton name) pairs with their districts.
    std::map<std::pair<std::string, std::string>, std::set<std::string>> pairs;
    std::map<std::pair<std::string, std::string>, long long> first_line;
    for (const auto& r : rows_) {
        auto key = std::make_pair(r.district.substr(0, 2), r.canton);
        pairs[key].insert(r.district);
        first_line.emplace(key, r.line);
    }
    std::set<std::string> matched_cantons;
    for (const auto& [key, districts] : pairs) {
        const auto& [prov, name] = key;
        int best = 0;
        std::vector<const unit*> hits;
        for (const unit& c : cantons.units) {
            if (!c.code.starts_with(prov)) continue;
            int q = names::match_quality(name, c.name);
            if (q > best) {
                best = q;
                hits.clear();
            }
            if (q == best && q > 0) hits.push_back(&c);
        }
        if (hits.empty()) {
            // Cantons move between provinces (La Concordia: Esmeraldas -> Santo Domingo, 2013):
            // accept a unique exact-name match elsewhere, and say so.
            for (const unit& c : cantons.units)
                if (names::match_quality(name, c.name) >= 2) hits.push_back(&c);
            if (hits.size() == 1)
                m.report.add({severity::warning, "codification.canton_other_province", level::canton,
                              hits.front()->code, first_line[key],
                              "the table puts canton '" + name + "' in province " + prov + ", the layer codes it " +
                                  hits.front()->code + ": matched by name across provinces",
                              std::nullopt, std::nullopt, std::nullopt});
        }
        if (hits.size() != 1) {
            std::string msg = hits.empty() ? "no canton of province " + prov + " is named '" + name + "'"
                                           : "canton name '" + name + "' matches several cantons of province " + prov;
            for (const unit* h : hits) msg += " " + h->code;
            m.report.add({severity::error,
                          "codification.canton_unmatched",
                          level::canton,
                          {},
                          first_line[key],
                          msg,
                          std::nullopt,
                          std::nullopt,
                          std::nullopt});
            continue;
        }
        const unit& c = *hits.front();
        matched_cantons.insert(c.code);
        auto& list = m.districts_of_canton[c.code];
        for (const auto& d : districts) {
            if (std::find(list.begin(), list.end(), d) == list.end()) list.push_back(d);
            auto& cl = m.cantons_of_district[d];
            if (std::find(cl.begin(), cl.end(), c.code) == cl.end()) cl.push_back(c.code);
        }
    }
    for (const unit& c : cantons.units)
        if (!matched_cantons.count(c.code))
            m.report.add({severity::warning, "codification.canton_not_in_table", level::canton, c.code, c.source_fid,
                          "canton '" + c.name + "' appears in no row of the codification table", std::nullopt,
                          std::nullopt, std::nullopt});
    return m;
}

std::map<std::size_t, std::string> codification_table::match_parishes(const unit_layer& parishes,
                                                                      const canton_districts& cantons, findings& report,
                                                                      const std::vector<urban_parish>* urban) const {
    std::map<std::size_t, std::string> out;
    std::set<std::string> codes;
    for (const unit& p : parishes.units) codes.insert(p.code);
    // The canton each row lies in, through the district match.
    std::map<std::string, std::vector<std::string>> cantons_of_district = cantons.cantons_of_district;
    std::set<std::pair<std::string, std::string>> reported;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        const auto& r = rows_[i];
        if (!r.parish_code.empty() && codes.count(r.parish_code)) {
            out[i] = r.parish_code;
            continue;
        }
        int best = 0;
        std::vector<const unit*> hits;
        for (const unit& p : parishes.units) {
            auto cl = cantons_of_district.find(r.district);
            bool in_scope = cl != cantons_of_district.end()
                                ? std::any_of(cl->second.begin(), cl->second.end(),
                                              [&](const std::string& c) { return p.code.starts_with(c); })
                                : p.code.starts_with(r.district.substr(0, 2));
            if (!in_scope) continue;
            int q = names::match_quality(r.parish, p.name);
            if (q > best) {
                best = q;
                hits.clear();
            }
            if (q == best && q > 0) hits.push_back(&p);
        }
        if (hits.size() != 1 && urban) {
            // An urban parish: "CUENCA_BELLAVISTA" or plain "CARCELEN", within the row's cantons.
            std::string name = r.parish.substr(r.parish.find('_') == std::string::npos ? 0 : r.parish.find('_') + 1);
            auto cl = cantons_of_district.find(r.district);
            std::set<std::string> seats;
            int best_u = 0;
            for (const auto& u : *urban) {
                bool in_scope = cl != cantons_of_district.end() &&
                                std::any_of(cl->second.begin(), cl->second.end(),
                                            [&](const std::string& c) { return u.seat_code.starts_with(c); });
                if (!in_scope || !codes.count(u.seat_code)) continue;
                int q = names::match_quality(name, u.name);
                if (q > best_u) best_u = q, seats.clear();
                if (q == best_u && q > 0) seats.insert(u.seat_code);
            }
            if (seats.size() == 1) {
                out[i] = *seats.begin();
                report.add({severity::info, "codification.parish_urban", level::parish, *seats.begin(), r.line,
                            "parish '" + r.parish + "' of district " + r.district +
                                " is an urban parish without a polygon: resolved to its seat parish " + *seats.begin(),
                            std::nullopt, std::nullopt, std::nullopt});
                continue;
            }
        }
        if (hits.size() == 1) {
            out[i] = hits.front()->code;
        } else {
            if (!reported.emplace(r.district, r.parish).second) continue;  // once per district and name
            std::string msg = hits.empty()
                                  ? "parish '" + r.parish + "' of district " + r.district + " matches no parish"
                                  : "parish '" + r.parish + "' matches several parishes:";
            for (const unit* h : hits) msg += " " + h->code;
            report.add({severity::warning,
                        "codification.parish_unmatched",
                        level::parish,
                        {},
                        r.line,
                        msg,
                        std::nullopt,
                        std::nullopt,
                        std::nullopt});
        }
    }
    return out;
}

}  // namespace microplan::geo
