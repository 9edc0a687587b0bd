#include "microplan/geo/population/age_structure.hpp"

#include <charconv>
#include <set>

#include "microplan/geo/core/gdal.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/io/establishment_import.hpp"
#include "microplan/geo/io/fields.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

namespace {

std::optional<int> whole_number(std::string_view text) {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < 0) return std::nullopt;
    return v;
}

// The broken character a mis-decoded table leaves in a name: U+FFFD, or its UTF-8 bytes read
// as Latin-1 and encoded again.
constexpr std::string_view replacement_marks[] = {"\xC3\xAF\xC2\xBF\xC2\xBD", "\xEF\xBF\xBD"};

// A name with one broken character, as (folded text before, folded text after).
std::optional<std::pair<std::string, std::string>> broken_name(const std::string& name) {
    for (std::string_view mark : replacement_marks) {
        auto at = name.find(mark);
        if (at == std::string::npos) continue;
        // fold() trims, so keep the letters next to the mark by folding each side with a sentinel.
        std::string before = names::fold(name.substr(0, at) + "X"),
                    after = names::fold("X" + name.substr(at + mark.size()));
        return std::pair{before.substr(0, before.size() - 1), after.substr(1)};
    }
    return std::nullopt;
}

bool is_national(const std::string& area) {
    std::string f = names::fold(area);
    return f.rfind("TOTAL", 0) == 0 || f == "NACIONAL" || f == "ECUADOR" || f == "NATIONAL";
}

}  // namespace

std::optional<age_band> parse_age_band(std::string_view label) {
    if (label.empty()) return std::nullopt;
    if (label.back() == '+') {
        auto from = whole_number(label.substr(0, label.size() - 1));
        if (!from) return std::nullopt;
        return age_band{std::string(label), *from, std::nullopt};
    }
    auto dash = label.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto from = whole_number(label.substr(0, dash));
    auto to = whole_number(label.substr(dash + 1));
    if (!from || !to || *to < *from) return std::nullopt;
    return age_band{std::string(label), *from, *to};
}

const std::vector<std::string>& planning_age_bands() {
    static const std::vector<std::string> bands{"0-3", "0-4", "4-5", "5-14", "5-17", "6-17", "15-17", "18-64", "65+"};
    return bands;
}

age_structure_table read_age_structure(const std::string& path) {
    error_location where{path, {}, {}, {}, {}};
    GDALDatasetUniquePtr ds = gdal::open_table(path);
    OGRLayer& layer = gdal::pick_layer(*ds, path, "");
    where.layer = layer.GetName();
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    auto area_col = find_column(defn, {"provincia", "province", "area"});
    auto age_col = find_column(defn, {"edad", "age"});
    auto people_col = find_column(defn, {"total", "people", "poblacion"});
    if (!area_col || !age_col || !people_col)
        throw format_error(
            where, "missing column",
            "an age structure table needs an area (provincia), an age (edad) and a people (total) column");
    age_structure_table t;
    t.path = path;
    long long line = 1;
    for (auto& f : layer) {
        ++line;
        std::string area = f->GetFieldAsString(*area_col);
        std::string age_text = f->GetFieldAsString(*age_col);
        std::string people_text = f->GetFieldAsString(*people_col);
        auto age = whole_number(age_text);
        if (!age || *age > 150)
            throw format_error({path, where.layer, line, defn->GetFieldDefn(*age_col)->GetNameRef(), {}}, "not an age",
                               "'" + age_text + "' is not an age in whole years (0 to 150)");
        auto people = parse_number(people_text);
        if (!people || !bounds::within(*people, bounds::people))
            throw format_error({path, where.layer, line, defn->GetFieldDefn(*people_col)->GetNameRef(), {}},
                               "not a population", "'" + people_text + "' is not a number of people");
        t.people[area][*age] += *people;
        t.first_line.emplace(area, line);
        t.oldest = std::max(t.oldest, *age);
    }
    if (t.people.empty()) throw format_error(where, "empty table", "the age structure table has no rows");
    return t;
}

area_age_structure match_age_structure(const age_structure_table& table,
                                       const std::map<std::string, std::string>& names) {
    area_age_structure out;
    out.oldest = table.oldest;
    std::map<std::string, std::string> code_of_folded;
    for (const auto& [code, name] : names) code_of_folded[names::fold(name)] = code;
    bool have_national = false;
    for (const auto& [area, ages] : table.people) {
        long long line = table.first_line.at(area);
        if (is_national(area)) {
            out.national = ages;
            have_national = true;
            continue;
        }
        auto hit = code_of_folded.find(names::fold(area));
        if (hit != code_of_folded.end()) {
            out.by_code[hit->second] = ages;
            continue;
        }
        std::vector<std::string> fits;
        if (auto broken = broken_name(area))
            for (const auto& [folded, code] : code_of_folded)
                if (folded.size() == broken->first.size() + 1 + broken->second.size() &&
                    folded.compare(0, broken->first.size(), broken->first) == 0 &&
                    folded.compare(folded.size() - broken->second.size(), broken->second.size(), broken->second) == 0)
                    fits.push_back(code);
        if (fits.size() == 1) {
            out.by_code[fits[0]] = ages;
            out.report.add({severity::warning, "age_structure.broken_name", std::nullopt, fits[0], line,
                            table.path + ": the area name '" + area +
                                "' has a broken character (a mis-decoded letter); it is read as " + names.at(fits[0]) +
                                " (" + fits[0] + "), the only name that fits with one letter in its place",
                            std::nullopt, std::nullopt, std::nullopt});
            continue;
        }
        out.report.add({severity::warning,
                        "age_structure.unmatched_area",
                        std::nullopt,
                        {},
                        line,
                        table.path + ": the area '" + area + "' matches no name of the areas" +
                            (fits.empty() ? "" : " (several fit its broken character)") + "; its rows are not used",
                        std::nullopt,
                        std::nullopt,
                        std::nullopt});
    }
    if (!have_national)
        for (const auto& [code, ages] : out.by_code)
            for (const auto& [age, people] : ages) out.national[age] += people;
    return out;
}

std::map<std::string, double> band_shares(const std::map<int, double>& people, int /*oldest*/,
                                          const std::vector<std::string>& bands) {
    std::map<std::string, double> out;
    double all = 0;
    for (const auto& [age, n] : people) all += n;
    for (const auto& label : bands) {
        auto band = parse_age_band(label);
        if (!band) throw std::logic_error("band_shares: '" + label + "' is not an age band");
        double in = 0;
        for (const auto& [age, n] : people)
            if (age >= band->from && (!band->to || age <= *band->to)) in += n;
        out[label] = all > 0 ? in / all : 0;
    }
    return out;
}

band_estimate estimate_bands(const std::map<std::string, double>& totals,
                             const std::map<std::string, std::string>& area_of, const area_age_structure& structure,
                             const std::vector<std::string>& bands, level lvl) {
    band_estimate out;
    std::map<std::string, std::map<std::string, double>> shares;  // area -> band -> share
    auto national = band_shares(structure.national, structure.oldest, bands);
    struct fallback {
        std::size_t units = 0;
        double people = 0;
    };
    std::map<std::string, fallback> without;  // area with no structure -> what used the national one
    for (const auto& [code, total] : totals) {
        auto a = area_of.find(code);
        std::string area = a == area_of.end() ? std::string() : a->second;
        const std::map<std::string, double>* s = &national;
        if (auto st = structure.by_code.find(area); st != structure.by_code.end()) {
            auto [it, fresh] = shares.try_emplace(area);
            if (fresh) it->second = band_shares(st->second, structure.oldest, bands);
            s = &it->second;
        } else {
            without[area].units += 1;
            without[area].people += total;
        }
        for (const auto& [band, share] : *s) out.values[band][code] = total * share;
    }
    for (const auto& [area, f] : without)
        out.report.add({severity::warning, "age_structure.national_used", lvl, area, std::nullopt,
                        std::to_string(f.units) + " " + std::string(level_table(lvl)) + " (" +
                            std::to_string(static_cast<long long>(f.people + 0.5)) + " people) lie in " +
                            (area.empty() ? std::string("no known area") : "area " + area) +
                            ", which the age structure table does not give: their bands use the national structure",
                        std::nullopt, std::nullopt, std::nullopt});
    return out;
}

}  // namespace microplan::geo
