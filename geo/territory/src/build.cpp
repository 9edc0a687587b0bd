#include "microplan/geo/territory/build.hpp"

#include <algorithm>
#include <set>

#include "microplan/geo/core/geos.hpp"
#include "microplan/geo/core/parallel.hpp"
#include "microplan/geo/core/proj.hpp"

namespace microplan::geo {

unit_layer dissolve(const unit_layer& children, level target, const std::vector<dissolve_group>& groups,
                    const std::string& analysis_crs, unsigned threads) {
    unit_layer out;
    out.lvl = target;
    out.units.resize(groups.size());
    parallel_for(groups.size(), threads, [&](std::size_t g) {
        thread_local std::unique_ptr<proj::transformer> to_analysis;
        thread_local std::string crs;
        if (!to_analysis || crs != analysis_crs) {
            to_analysis = std::make_unique<proj::transformer>("EPSG:4326", analysis_crs);
            crs = analysis_crs;
        }
        std::vector<const GEOSGeometry*> parts;
        for (std::size_t m : groups[g].members) parts.push_back(children.units[m].geometry.get());
        unit& u = out.units[g];
        u.lvl = target;
        u.code = groups[g].code;
        u.name = groups[g].name;
        u.parent_code = groups[g].parent_code;
        u.geometry = geos::polygonal_parts_as_multipolygon(geos::unary_union(parts).get());
        u.projected = geos::valid_polygonal(to_analysis->forward(u.geometry.get()));
        u.area_km2 = geos::area(u.projected.get()) / 1e6;
        u.perimeter_km = geos::length(u.projected.get()) / 1e3;
    });
    return out;
}

namespace {
std::string zone_name(const std::string& zone_code) { return "Zona " + zone_code.substr(1); }

unit_layer zones_from(const unit_layer& members, const std::map<std::string, std::string>& zone_of_member,
                      const std::string& analysis_crs, unsigned threads) {
    std::map<std::string, dissolve_group> by_zone;
    for (std::size_t i = 0; i < members.units.size(); ++i) {
        auto it = zone_of_member.find(members.units[i].code);
        if (it == zone_of_member.end()) continue;
        auto& g = by_zone[it->second];
        g.code = it->second;
        g.name = zone_name(it->second);
        g.members.push_back(i);
    }
    std::vector<dissolve_group> groups;
    for (auto& [code, g] : by_zone) groups.push_back(std::move(g));
    return dissolve(members, level::zone, groups, analysis_crs, threads);
}
}  // namespace

built_levels build_from_cantons(const unit_layer& cantons, const codification_table& table,
                                const std::string& analysis_crs, unsigned threads) {
    built_levels b;
    canton_districts match = table.match_cantons(cantons);
    b.report.append(match.report);
    auto zone_of = table.zone_of_district(b.report);
    auto names = table.district_names();
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < cantons.units.size(); ++i) index[cantons.units[i].code] = i;

    std::vector<dissolve_group> groups;
    std::map<std::string, std::string> zone_of_canton;
    for (const auto& [district, canton_codes] : match.cantons_of_district) {
        dissolve_group g{district, names[district], zone_of[district], {}};
        std::vector<std::string> shared;
        for (const auto& c : canton_codes) {
            const auto& ds = match.districts_of_canton.at(c);
            if (ds.size() > 1) shared.push_back(c);
            g.members.push_back(index.at(c));
            zone_of_canton.emplace(c, zone_of[district]);
        }
        if (!shared.empty()) continue;  // reported once per canton below
        groups.push_back(std::move(g));
    }
    for (const auto& [canton, districts] : match.districts_of_canton) {
        if (districts.size() < 2) continue;
        const unit& c = cantons.units[index.at(canton)];
        std::string list;
        for (const auto& d : districts) list += (list.empty() ? "" : ", ") + d;
        std::set<std::string> zones;
        for (const auto& d : districts) zones.insert(zone_of[d]);
        b.report.add({severity::warning, "build.city_canton", level::canton, canton, c.source_fid,
                      "canton '" + c.name + "' holds " + std::to_string(districts.size()) + " districts (" + list +
                          "): they cannot be separated without finer units (circuits or urban parishes), so they are "
                          "not built",
                      std::nullopt, std::nullopt, std::nullopt});
        if (zones.size() > 1)
            b.report.add({severity::error, "build.canton_in_two_zones", level::canton, canton, c.source_fid,
                          "its districts lie in different zones", std::nullopt, std::nullopt, std::nullopt});
    }
    b.districts = dissolve(cantons, level::district, groups, analysis_crs, threads);
    b.zones = zones_from(cantons, zone_of_canton, analysis_crs, threads);
    return b;
}

built_levels build_from_circuits(const unit_layer& circuits, const codification_table* table,
                                 const std::string& analysis_crs, unsigned threads) {
    built_levels b;
    std::map<std::string, std::string> zone_of, names;
    if (table) {
        zone_of = table->zone_of_district(b.report);
        names = table->district_names();
    }
    std::map<std::string, dissolve_group> by_district;
    for (std::size_t i = 0; i < circuits.units.size(); ++i) {
        const unit& c = circuits.units[i];
        auto d = parent_code_from_code(level::circuit, c.code);
        if (!d) {
            b.report.add({severity::error, "code.malformed", level::circuit, c.code, c.source_fid,
                          "cannot read the district from the circuit code", std::nullopt, std::nullopt, std::nullopt});
            continue;
        }
        auto& g = by_district[*d];
        g.code = *d;
        g.name = names[*d];
        g.parent_code = zone_of.count(*d) ? zone_of[*d] : "";
        g.members.push_back(i);
    }
    std::vector<dissolve_group> groups;
    for (auto& [code, g] : by_district) groups.push_back(std::move(g));
    b.districts = dissolve(circuits, level::district, groups, analysis_crs, threads);
    if (table) {
        std::map<std::string, std::string> zone_of_district;
        for (const unit& d : b.districts.units)
            if (!d.parent_code.empty()) zone_of_district[d.code] = d.parent_code;
        b.zones = zones_from(b.districts, zone_of_district, analysis_crs, threads);
    } else {
        b.zones.lvl = level::zone;
    }
    return b;
}

}  // namespace microplan::geo
