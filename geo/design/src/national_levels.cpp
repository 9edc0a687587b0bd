// Stages: districts and zones dissolved from the circuits, the per-unit report and the offices
// check (national_stages.hpp).
#include <map>
#include <set>

#include "microplan/geo/design/national_stages.hpp"
#include "microplan/geo/territory/build.hpp"
#include "national_common.hpp"

namespace microplan::geo::design {

using detail::note;

// Districts and zones dissolved from circuits (so they nest exactly).
dissolved_levels dissolve_levels(const dissolve_input& in) {
    dissolved_levels out;
    const circuit_design& c = in.design;
    std::vector<dissolve_group> dg;
    for (const std::string& d : in.districts.codes) {
        auto name = in.district_name.find(d);
        auto zone = in.zone_of.find(d);
        dissolve_group g{d,
                         name == in.district_name.end() ? std::string() : name->second,
                         zone == in.zone_of.end() ? std::string() : zone->second,
                         {}};
        for (std::size_t i = 0; i < c.codes.size(); ++i)
            if (c.district[i] == d && !c.pieces[i].empty()) {
                g.members.push_back(i);
                out.district_population[d] += in.population[i];
            }
        if (!g.members.empty()) dg.push_back(std::move(g));
    }
    out.districts = dissolve(in.circuits, level::district, dg, in.analysis_crs, in.threads);
    std::map<std::string, dissolve_group> zg;
    for (std::size_t i = 0; i < out.districts.units.size(); ++i) {
        const unit& d = out.districts.units[i];
        auto& g = zg[d.parent_code];
        g.code = d.parent_code;
        g.name = "Zona " + d.parent_code.substr(1);
        g.members.push_back(i);
        out.zone_population[d.parent_code] += out.district_population[d.code];
    }
    std::vector<dissolve_group> zgl;
    for (auto& [z, g] : zg) zgl.push_back(std::move(g));
    out.zones = dissolve(out.districts, level::zone, zgl, in.analysis_crs, in.threads);
    return out;
}

namespace {

// Parishes and cantons: their census people.
void census_levels(const report_input& in, unit_figures& out) {
    const std::size_t np = in.parishes.units.size();
    for (std::size_t i = 0; i < np; ++i) out.population[level::parish][in.parishes.units[i].code] = in.people[i];
    for (const unit& c : in.cantons.units) {
        double s = 0;
        for (std::size_t i = 0; i < np; ++i)
            if (in.parishes.units[i].code.starts_with(c.code)) s += in.people[i];
        out.population[level::canton][c.code] = s;
    }
}

void circuit_reports(const report_input& in, unit_figures& out) {
    const circuit_design& c = in.design;
    std::vector<std::set<std::string>> split_members(in.parishes.units.size());
    for (std::size_t i = 0; i < c.codes.size(); ++i)
        for (std::uint32_t p : c.pieces[i])
            if (in.graph.pieces()[p].sub >= 0) split_members[in.graph.pieces()[p].atom].insert(c.codes[i]);
    for (std::size_t i = 0; i < c.codes.size(); ++i) {
        const unit& u = in.circuits.units[i];
        const bool official = in.official_codes.count(u.code) > 0;
        out.population[level::circuit][u.code] = in.circuit_population[i];
        unit_report r = report_of(u, in.circuit_population[i], official ? 0.0 : c.target[i]);
        r.official = official;
        r.split_units = split_codes(in.graph, in.parishes, c.pieces[i],
                                    [&](std::uint32_t a) { return split_members[a].size() > 1; });
        out.units.push_back(std::move(r));
    }
}

void district_and_zone_reports(const report_input& in, unit_figures& out) {
    std::set<std::string> official_districts;
    for (const auto& m : in.official_districts) official_districts.insert(m.code);
    for (const unit& u : in.levels.districts.units) {
        std::size_t di = in.districts.index.at(u.code);
        const double people = in.levels.district_population.at(u.code);
        out.population[level::district][u.code] = people;
        bool designed = in.districts.designed[di] && !official_districts.count(u.code);
        unit_report r = report_of(u, people, designed ? in.districts.target[di] : 0);
        r.split_units = split_codes(in.graph, in.parishes, in.districts.pieces[di],
                                    [&](std::uint32_t a) { return in.listed_districts[a].size() > 1; });
        out.units.push_back(std::move(r));
    }
    for (const unit& u : in.levels.zones.units) {
        const double people = in.levels.zone_population.at(u.code);
        out.population[level::zone][u.code] = people;
        out.units.push_back(report_of(u, people, 0));
    }
}

}  // namespace

// Populations and the per-unit report.
unit_figures report_units(const report_input& in) {
    unit_figures out;
    census_levels(in, out);
    circuit_reports(in, out);
    district_and_zone_reports(in, out);
    return out;
}

// Where each district office lies.
findings check_offices(const offices_input& in) {
    findings rep;
    if (in.offices.empty()) return rep;
    std::map<std::string, std::size_t> dindex;
    for (std::size_t i = 0; i < in.districts.units.size(); ++i) dindex[in.districts.units[i].code] = i;
    int inside = 0, elsewhere = 0;
    auto h = geos::thread_context().handle();
    for (const auto& [d, o] : in.offices) {
        if (!o.lonlat || !dindex.count(d)) continue;
        geos::geom_ptr pt = geos::own(GEOSGeom_createPointFromXY_r(h, o.lonlat->first, o.lonlat->second));
        if (geos::intersects(in.districts.units[dindex[d]].geometry.get(), pt.get())) {
            ++inside;
            continue;
        }
        ++elsewhere;
        std::string where = "no district";
        for (const unit& u : in.districts.units)
            if (geos::intersects(u.geometry.get(), pt.get())) where = "district " + u.code;
        finding fd = note(severity::info, "design.office_elsewhere", level::district, d,
                          "the office of district " + d + " lies in " + where, o.fid);
        fd.lon = o.lonlat->first, fd.lat = o.lonlat->second;
        rep.add(std::move(fd));
    }
    rep.add(note(severity::info, "design.offices_inside", level::district, {},
                 std::to_string(inside) + " of " + std::to_string(inside + elsewhere) +
                     " district offices lie in their own district"));
    return rep;
}

}  // namespace microplan::geo::design
