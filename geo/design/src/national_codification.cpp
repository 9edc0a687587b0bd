// Stage: the codification table matched to cantons and parishes (national_stages.hpp,
// codify_parishes).
#include <algorithm>
#include <map>
#include <set>

#include "microplan/geo/design/national_stages.hpp"
#include "microplan/geo/model/names.hpp"
#include "national_common.hpp"

namespace microplan::geo::design {

using detail::fmt_people;
using detail::note;

namespace {

std::string canton_of(const unit& parish) { return parish.code.substr(0, 4); }

// Which districts and circuits list each parish; a row whose parish lies outside its
// district's cantons is reported and not used.
void list_parishes(const codification_input& in, const std::map<std::size_t, std::string>& row_parish,
                   codification_result& out) {
    const std::size_t np = in.parishes.units.size();
    std::map<std::string, std::size_t> parish_index;
    for (std::size_t i = 0; i < np; ++i) parish_index[in.parishes.units[i].code] = i;
    auto district_has_canton = [&](const std::string& d, const std::string& c) {
        auto it = out.cantons.cantons_of_district.find(d);
        return it != out.cantons.cantons_of_district.end() &&
               std::find(it->second.begin(), it->second.end(), c) != it->second.end();
    };
    out.listed_districts.assign(np, {});
    out.listed_circuits.assign(np, {});
    std::set<std::pair<std::string, std::string>> reported_outside;
    for (const auto& [row, code] : row_parish) {
        const auto& r = in.table.rows()[row];
        std::size_t a = parish_index.at(code);
        if (!district_has_canton(r.district, canton_of(in.parishes.units[a]))) {
            if (reported_outside.emplace(r.district, code).second)
                out.report.add(note(severity::warning, "codification.parish_outside_district", level::parish, code,
                                    "row " + std::to_string(r.line) + " puts parish '" + r.parish + "' in district " +
                                        r.district + ", whose cantons do not hold it: the row is not used",
                                    r.line));
            continue;
        }
        out.listed_districts[a].insert(r.district);
        if (!r.circuit.empty()) out.listed_circuits[a].insert(r.circuit);
    }
}

// A circuit none of whose parishes matched becomes a part of its district's most populous
// listed parish. Returns the circuits so placed.
std::set<std::string> place_unmatched_circuits(const codification_input& in, codification_result& out) {
    const std::size_t np = in.parishes.units.size();
    std::map<std::string, std::vector<std::string>> rows_parishes_of_circuit;
    for (const auto& r : in.table.rows())
        if (!r.circuit.empty()) rows_parishes_of_circuit[r.circuit].push_back(r.parish);
    std::set<std::string> placed;
    for (const auto& [d, codes] : out.circuits_of_district) {
        for (const auto& c : codes) {
            bool has = false;
            for (std::size_t a = 0; a < np && !has; ++a) has = out.listed_circuits[a].count(c) > 0;
            if (has) continue;
            std::ptrdiff_t best = -1;
            for (std::size_t a = 0; a < np; ++a)
                if (out.listed_districts[a].count(d) &&
                    (best < 0 || in.people[a] > in.people[static_cast<std::size_t>(best)]))
                    best = static_cast<std::ptrdiff_t>(a);
            std::string names;
            for (const auto& n : rows_parishes_of_circuit[c]) names += (names.empty() ? "'" : ", '") + n + "'";
            if (best < 0) {
                out.report.add(
                    note(severity::error, "design.circuit_unplaced", level::circuit, c,
                         "no parish of circuit " + c + " (" + names + ") nor of its district matched: not built"));
                continue;
            }
            auto b = static_cast<std::size_t>(best);
            out.listed_circuits[b].insert(c);
            placed.insert(c);
            out.report.add(note(severity::warning, "design.circuit_without_parish", level::circuit, c,
                                "none of the parishes of circuit " + c + " (" + names +
                                    ") matched a parish polygon: designed as a part of parish " +
                                    in.parishes.units[b].code + " '" + in.parishes.units[b].name +
                                    "', the most populous of district " + d));
        }
    }
    return placed;
}

// How each unmatched row was resolved: said in the row's finding.
void explain_unmatched_rows(const codification_input& in, const std::set<std::string>& placed,
                            codification_result& out) {
    for (auto& f : out.report.items) {
        if (f.rule != "codification.parish_unmatched" || !f.feature || *f.feature < 1 ||
            static_cast<std::size_t>(*f.feature) > in.table.rows().size())
            continue;
        const auto& r = in.table.rows()[static_cast<std::size_t>(*f.feature - 1)];
        for (const unit& p : in.parishes.units)
            if (p.code.starts_with(r.district.substr(0, 2)) && names::match_quality(r.parish, p.name) >= 2) {
                std::string d;
                auto it = out.cantons.districts_of_canton.find(p.code.substr(0, 4));
                if (it != out.cantons.districts_of_canton.end())
                    for (const auto& x : it->second) d += (d.empty() ? "" : ", ") + x;
                f.message += "; the cartography has it as parish " + p.code + " of canton " + p.code.substr(0, 4) +
                             (d.empty() ? "" : " (district " + d + ")") + ", where it stays";
                break;
            }
        bool other = !placed.count(r.circuit);
        if (!r.circuit.empty())
            f.message += other ? "; circuit " + r.circuit + " is built from its other parishes"
                               : "; circuit " + r.circuit + ": see design.circuit_without_parish";
    }
}

// Which parishes lie in no district.
void report_cantons_outside(const codification_input& in, codification_result& out) {
    std::map<std::string, std::pair<double, int>> outside;
    for (std::size_t a = 0; a < in.parishes.units.size(); ++a) {
        std::string c = canton_of(in.parishes.units[a]);
        if (out.cantons.districts_of_canton.count(c)) continue;
        auto& o = outside[c];
        o.first += in.people[a], ++o.second;
    }
    for (const auto& [c, o] : outside)
        out.report.add(note(severity::warning, "design.canton_outside", level::canton, c,
                            "canton " + c + " is in no row of the codification table: its " + std::to_string(o.second) +
                                " parish(es) and " + fmt_people(o.first) + " people are left outside every district"));
}

}  // namespace

codification_result codify_parishes(const codification_input& in) {
    codification_result out;
    out.cantons = in.table.match_cantons(in.cantons);
    out.report.append(out.cantons.report);
    std::map<std::size_t, std::string> row_parish =
        in.table.match_parishes(in.parishes, out.cantons, out.report, in.urban.empty() ? nullptr : &in.urban);
    out.zone_of = in.table.zone_of_district(out.report);
    out.district_name = in.table.district_names();
    for (const auto& r : in.table.rows()) {
        if (r.circuit.empty()) continue;
        out.circuits_of_district[r.district].insert(r.circuit);
        out.circuit_name.emplace(r.circuit, r.circuit_name);
    }
    list_parishes(in, row_parish, out);
    std::set<std::string> placed = place_unmatched_circuits(in, out);
    explain_unmatched_rows(in, placed, out);
    report_cantons_outside(in, out);
    return out;
}

}  // namespace microplan::geo::design
