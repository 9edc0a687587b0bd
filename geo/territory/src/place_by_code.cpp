#include "microplan/geo/territory/place_by_code.hpp"

#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

namespace {

constexpr std::size_t at(level l) { return static_cast<std::size_t>(l); }

std::string recorded(const recorded_place& p, level l) {
    auto it = p.codes.find(l);
    return it == p.codes.end() ? std::string() : it->second;
}

finding row_finding(severity sev, const char* rule, const establishment& e, std::optional<level> lvl,
                    const std::string& code, const std::string& message) {
    return {sev,          rule,         lvl,
            code,         e.row,        "establishment " + e.id + " (" + e.name + "): " + message,
            std::nullopt, std::nullopt, std::nullopt};
}

// The parent of `code` at level l ("" when the base has none).
std::string parent_of(const code_hierarchy& base, level l, const std::string& code) {
    auto it = base.parent[at(l)].find(code);
    return it == base.parent[at(l)].end() ? std::string() : it->second;
}

// Among the canton's districts, the only one sharing the most recorded names ("" when none or a tie).
std::string district_by_names(const code_hierarchy& base, const std::vector<std::string>& candidates,
                              const std::vector<std::string>& recorded) {
    std::set<std::string> wanted;
    for (const auto& n : recorded)
        if (auto f = names::fold(n); !f.empty()) wanted.insert(f);
    std::string best;
    std::size_t best_score = 0;
    bool tie = false;
    for (const auto& d : candidates) {
        auto listed = base.names_of_district.find(d);
        if (listed == base.names_of_district.end()) continue;
        std::size_t score = 0;
        for (const auto& n : wanted) score += listed->second.count(n);
        if (score > best_score) {
            best = d;
            best_score = score;
            tie = false;
        } else if (score == best_score && score > 0) {
            tie = true;
        }
    }
    return tie ? std::string() : best;
}

// The source levels: the recorded parish, its canton (or the recorded one), its province.
void place_source_levels(const establishment& e, const recorded_place& p, const code_hierarchy& base,
                         point_assignment& a, findings& report) {
    const std::string parish = recorded(p, level::parish);
    const std::string canton = recorded(p, level::canton);
    if (!parish.empty()) {
        if (base.has(level::parish, parish))
            a.codes[at(level::parish)] = parish;
        else
            report.add(row_finding(severity::warning, "establishment.unknown_code", e, level::parish, parish,
                                   "its parish code " + parish + " is not a parish of the base; not used"));
    }
    std::string from_parish = a.codes[at(level::parish)].empty() ? "" : parent_of(base, level::parish, parish);
    if (!canton.empty() && !from_parish.empty() && canton != from_parish)
        report.add(row_finding(severity::warning, "establishment.codes_disagree", e, level::canton, canton,
                               "its canton code " + canton + " is not the canton of its parish " + parish + " (" +
                                   from_parish + "); the parish's is kept"));
    std::string c = !from_parish.empty() ? from_parish : canton;
    if (!c.empty() && !base.has(level::canton, c)) {
        auto name = p.unit_names.find(level::canton);
        const auto& by_name = base.code_of_name[at(level::canton)];
        auto hit = name == p.unit_names.end() ? by_name.end() : by_name.find(names::fold(name->second));
        if (hit != by_name.end() && !hit->second.empty()) {
            report.add(row_finding(severity::info, "establishment.code_by_name", e, level::canton, hit->second,
                                   "its canton code " + c + " is not a canton of the base, but its canton's name (" +
                                       name->second + ") is that of canton " + hit->second +
                                       " alone (a code changed since the base's cartography): placed in " +
                                       hit->second));
            c = hit->second;
        }
    }
    if (!c.empty() && base.has(level::canton, c)) {
        a.codes[at(level::canton)] = c;
    } else if (!c.empty()) {
        report.add(row_finding(severity::warning, "establishment.unknown_code", e, level::canton, c,
                               "its canton code " + c + " is not a canton of the base; not used"));
    }
    if (const std::string& k = a.codes[at(level::canton)]; !k.empty()) {
        std::string prov = parent_of(base, level::canton, k);
        if (!prov.empty()) a.codes[at(level::province)] = prov;
    }
}

// The planning levels: district (recorded, from the parish's circuit, from the canton, by
// names), its circuit when the parish determines one, its zone.
void place_planning_levels(const establishment& e, const recorded_place& p, const code_hierarchy& base,
                           point_assignment& a, code_placement_result& out) {
    const std::string& parish = a.codes[at(level::parish)];
    const std::string& canton = a.codes[at(level::canton)];
    const std::string given = recorded(p, level::district);
    std::string circuit;
    if (auto c = base.circuit_of_parish.find(parish); !parish.empty() && c != base.circuit_of_parish.end())
        circuit = c->second;
    std::string district;
    if (!given.empty() && base.has(level::district, given)) {
        district = given;
    } else {
        if (!given.empty())
            out.report.add(row_finding(severity::warning, "establishment.unknown_code", e, level::district, given,
                                       "its district code " + given + " is not a district of the base; not used"));
        if (!circuit.empty()) {
            district = parent_of(base, level::circuit, circuit);
        } else if (auto d = base.districts_of_canton.find(canton);
                   !canton.empty() && d != base.districts_of_canton.end()) {
            if (d->second.size() == 1) {
                district = d->second.front();
            } else if (!p.names.empty()) {
                district = district_by_names(base, d->second, p.names);
                if (!district.empty()) ++out.district_by_names;
            }
        }
    }
    if (!circuit.empty() && parent_of(base, level::circuit, circuit) != district) {
        if (!district.empty())
            out.report.add(row_finding(severity::info, "establishment.codes_disagree", e, level::district, district,
                                       "its parish " + parish + " lies in circuit " + circuit +
                                           " of another district; "
                                           "the recorded district " +
                                           district + " is kept, without a circuit"));
        circuit.clear();
    }
    if (!district.empty()) a.codes[at(level::district)] = district;
    if (!circuit.empty()) a.codes[at(level::circuit)] = circuit;
    if (!district.empty())
        if (std::string z = parent_of(base, level::district, district); !z.empty()) a.codes[at(level::zone)] = z;
}

}  // namespace

code_placement_result place_by_recorded_codes(std::span<const establishment> rows,
                                              std::span<const recorded_place> where, const code_hierarchy& base) {
    code_placement_result out;
    out.rows.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        point_assignment& a = out.rows[i];
        a.where = placement::by_code;
        place_source_levels(rows[i], where[i], base, a, out.report);
        place_planning_levels(rows[i], where[i], base, a, out);
        for (level l : {level::circuit, level::district, level::zone, level::parish, level::canton, level::province})
            if (!a.codes[at(l)].empty()) {
                a.reached = l;
                break;
            }
        if (a.reached) {
            ++out.reached[*a.reached];
            continue;
        }
        a.where = placement::invalid;
        ++out.unplaced;
        std::string given;
        for (const auto& [l, code] : where[i].codes)
            given += (given.empty() ? "" : ", ") + std::string(level_name(l)) + " " + code;
        out.report.add(row_finding(severity::warning, "establishment.not_placed", rows[i], std::nullopt, {},
                                   "it has no coordinates and none of its recorded codes (" +
                                       (given.empty() ? std::string("none") : given) +
                                       ") is a unit of the base; it is kept without units and counts nowhere"));
    }
    return out;
}

}  // namespace microplan::geo
