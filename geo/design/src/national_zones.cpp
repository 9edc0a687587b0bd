// Stage: the zone of each district resolved from the evidence (national_stages.hpp,
// resolve_zones).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "microplan/geo/design/national_stages.hpp"
#include "microplan/geo/territory/contiguity.hpp"
#include "national_common.hpp"

namespace microplan::geo::design {

using detail::note;

namespace {

// What one source says about a district's zone.
struct witness {
    std::string source;  // how the messages name it
    std::string zone;    // "" when the source says nothing about this district
    std::optional<long long> feature;
};

// The legal zone of each canton: its own row, else its province's.
struct legal_lookup {
    std::map<std::string, const legal_zone*> province, canton;

    explicit legal_lookup(const std::vector<legal_zone>& rows) {
        for (const legal_zone& r : rows) (r.lvl == level::canton ? canton : province)[r.code] = &r;
    }
    [[nodiscard]] const legal_zone* of_canton(const std::string& c) const {
        if (auto it = canton.find(c); it != canton.end()) return it->second;
        auto it = province.find(c.substr(0, 2));
        return it == province.end() ? nullptr : it->second;
    }
};

// Why the law puts the district where it does: "canton 0101 in Z6 by its province 01 AZUAY (act)".
std::string legal_reason(const std::vector<std::string>& cantons, const legal_lookup& law) {
    std::map<const legal_zone*, std::vector<std::string>> by_row;
    for (const auto& c : cantons)
        if (const legal_zone* r = law.of_canton(c)) by_row[r].push_back(c);
    std::string out;
    for (const auto& [r, cs] : by_row) {
        std::string list;
        for (const auto& c : cs) list += (list.empty() ? "" : ", ") + c;
        out += (out.empty() ? "" : "; ") + std::string(cs.size() > 1 ? "cantons " : "canton ") + list + " in " +
               r->zone +
               (r->lvl == level::canton ? " by name (" + r->name + ")"
                                        : " as part of province " + r->code + " " + r->name) +
               ", " + r->source;
    }
    return out;
}

// The zone most witnesses give; ties go to the first witness (the codification table).
std::string majority(const std::vector<witness>& w) {
    std::map<std::string, int> votes;
    for (const auto& x : w)
        if (!x.zone.empty()) ++votes[x.zone];
    std::string best;
    int most = 0;
    for (const auto& x : w)
        if (!x.zone.empty() && votes[x.zone] > most) best = x.zone, most = votes[x.zone];
    return best;
}

// The zone a register records most often for the district, with how many records say so.
std::string recorded_zone(const recorded_zone_counts& recorded, const std::string& d, std::string& counts) {
    auto it = recorded.find(d);
    if (it == recorded.end()) return {};
    std::string best;
    int most = 0;
    for (const auto& [z, n] : it->second) {
        counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " record(s) " + z;
        if (n > most) best = z, most = n;
    }
    return best;
}

}  // namespace

zone_resolution resolve_zones(const zones_input& in) {
    zone_resolution out;
    const legal_lookup law(in.legal);
    std::map<std::string, int> won_by;  // how each district's zone was decided
    for (const auto& [d, table_zone] : in.table_zone) {
        std::vector<witness> w{{"the codification table (" + in.codification_source + ")", table_zone, {}}};
        if (auto o = in.offices.find(d); o != in.offices.end())
            w.push_back({"the district offices table (" + in.offices_source + ")", o->second.zone, o->second.fid});
        std::string counts;
        if (std::string z = recorded_zone(in.recorded, d, counts); !z.empty())
            w.push_back({"the register (" + in.recorded_source + ": " + counts + ")", z, {}});

        std::set<std::string> legal;
        std::vector<std::string> cantons;
        if (auto it = in.cantons_of_district.find(d); it != in.cantons_of_district.end()) cantons = it->second;
        bool all_known = !cantons.empty();
        for (const auto& c : cantons) {
            const legal_zone* r = law.of_canton(c);
            if (r) legal.insert(r->zone);
            all_known = all_known && r;
        }
        std::string zone, why;
        if (all_known && legal.size() == 1) {
            zone = *legal.begin();
            why = "the legal zoning (" + in.legal_source + ") puts " + legal_reason(cantons, law);
            ++won_by["the legal zoning"];
        } else {
            zone = majority(w);
            why = "the law does not decide, so the zone most sources give";
            std::string said = legal.empty() ? "no legal zone for its cantons" : "its cantons in legal zones";
            for (const auto& z : legal) said += (said.back() == 's' ? " " : ", ") + z;
            if (!in.legal.empty())
                out.report.add(note(severity::warning, "zones.legal_undetermined", level::district, d,
                                    "district " + d + ": " + said + " (" + in.legal_source + "); kept " + zone +
                                        ", the zone most sources give"));
            ++won_by["the majority of the sources"];
        }
        for (const auto& x : w)
            if (!x.zone.empty() && x.zone != zone)
                out.report.add(note(severity::warning, "sources.zone_disagreement", level::district, d,
                                    x.source + " puts district " + d + " in zone " + x.zone + "; resolved to " + zone +
                                        ": " + why + " (" + x.zone + " lost)",
                                    x.feature));
        out.zone_of[d] = zone;
    }
    std::string how;
    for (const auto& [source, n] : won_by) how += (how.empty() ? "" : ", ") + std::to_string(n) + " by " + source;
    out.report.add(note(severity::info, "zones.resolved", level::district, {},
                        "the zone of " + std::to_string(out.zone_of.size()) + " district(s) resolved: " + how));
    return out;
}

std::set<std::string> legally_split(const std::vector<legal_zone>& legal) {
    std::map<std::string, std::string> province_zone;
    for (const legal_zone& r : legal)
        if (r.lvl == level::province) province_zone[r.code] = r.zone;
    std::set<std::string> out;
    for (const legal_zone& r : legal)
        if (r.lvl == level::canton) {
            auto it = province_zone.find(r.code.substr(0, 2));
            if (it == province_zone.end() || it->second != r.zone) out.insert(r.code.substr(0, 2));
        }
    return out;
}

findings check_zone_territories(const territory_input& in) {
    validation_options vo;
    vo.analysis_crs = in.analysis_crs;
    vo.threads = in.threads;
    vo.split_allowed = legally_split(in.legal);
    std::vector<const unit_layer*> administrative{&in.cantons};
    if (!in.provinces.units.empty()) administrative.push_back(&in.provinces);
    findings out = check_one_territory(in.zones, administrative, vo);
    // A district in pieces is kept as the codification composes it and the design draws it
    // (validate counts it as an error): said here as a defect of the sources or the design.
    for (finding f : check_one_territory(in.districts, administrative, vo).items) {
        if (f.rule == "territory.not_contiguous") {
            f.sev = severity::warning;
            f.rule = "design.district_not_contiguous";
            f.message +=
                " (validate: territory.not_contiguous); kept as the codification lists its cantons and "
                "parishes and the design shares out its city parish";
        }
        out.add(std::move(f));
    }
    for (const unit_layer* g : administrative) out.append(check_split_across_zones(*g, in.zones, vo));
    return out;
}

}  // namespace microplan::geo::design
