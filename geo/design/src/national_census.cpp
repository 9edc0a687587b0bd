// Stage: people per parish (national_stages.hpp, match_census).
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "microplan/geo/design/national_stages.hpp"
#include "microplan/geo/model/names.hpp"
#include "national_common.hpp"

namespace microplan::geo::design {

using detail::fmt_people;
using detail::note;

namespace {

// The census people of one build: the parishes' counts as they are resolved, the rasters'
// counts once needed. One per match_census call.
struct census_work {
    const census_input& in;
    std::vector<double> people;
    findings report;
    std::optional<std::vector<double>> raster;  // people per parish on the rasters, once needed

    const std::vector<double>& raster_counts() {
        if (!raster) raster = detail::raster_people(in.parishes, in.rasters, in.threads);
        return *raster;
    }

    // The same parish under a code that changed (La Concordia moved from Esmeraldas, 0808, to
    // Santo Domingo, 2302): parish and canton names match. Matched rows leave `rows`; returns
    // the parishes still without people.
    std::vector<std::size_t> match_by_name(const std::vector<std::size_t>& missing, std::vector<census_row>& rows) {
        std::map<std::string, std::string> canton_name;
        for (const unit& c : in.cantons.units) canton_name[c.code] = c.name;
        std::vector<std::size_t> still;
        for (std::size_t i : missing) {
            const unit& p = in.parishes.units[i];
            std::vector<const census_row*> hits;
            for (const auto& r : rows)
                if (names::match_quality(r.name, p.name) >= 2 &&
                    names::match_quality(r.canton, canton_name[p.code.substr(0, 4)]) >= 2)
                    hits.push_back(&r);
            if (hits.size() != 1) {
                still.push_back(i);
                continue;
            }
            const census_row& r = *hits.front();
            people[i] = r.people;
            report.add(note(severity::warning, "design.population_by_name", level::parish, p.code,
                            "parish " + p.code + " '" + p.name + "' has no census row under its code; census row " +
                                r.code + " '" + r.name + "' (canton " + r.canton + ", " + fmt_people(r.people) +
                                " people) is the same parish under a changed code",
                            p.source_fid));
            std::erase_if(rows, [&](const census_row& x) { return &x == &r; });
        }
        return still;
    }

    // Parishes created after the 2012 cartography have no polygon: their people live inside
    // the parish of their canton they were carved from, taken as the one whose raster count
    // exceeds its census count most.
    void add_to_carved_from(const std::vector<census_row>& rows, const std::vector<std::size_t>& missing) {
        if (rows.empty()) return;
        const std::size_t np = in.parishes.units.size();
        const std::vector<double>& counted = raster_counts();
        std::vector<double> excess(np);
        for (std::size_t i = 0; i < np; ++i) excess[i] = counted[i] - people[i];
        for (const auto& r : rows) {
            std::ptrdiff_t best = -1;
            for (std::size_t i = 0; i < np; ++i)
                if (in.parishes.units[i].code.starts_with(r.code.substr(0, 4)) &&
                    std::find(missing.begin(), missing.end(), i) == missing.end() &&
                    (best < 0 || excess[i] > excess[static_cast<std::size_t>(best)]))
                    best = static_cast<std::ptrdiff_t>(i);
            if (best < 0) {
                report.add(note(severity::warning, "design.population_without_polygon", level::parish, r.code,
                                "census parish " + r.code + " '" + r.name +
                                    "' has no polygon nor canton polygon: its " + fmt_people(r.people) +
                                    " people are not in the base"));
                continue;
            }
            auto b = static_cast<std::size_t>(best);
            people[b] += r.people;
            excess[b] -= r.people;
            const unit& p = in.parishes.units[b];
            report.add(note(severity::warning, "design.population_without_polygon", level::parish, r.code,
                            "census parish " + r.code + " '" + r.name + "' (" + fmt_people(r.people) +
                                " people) was created after the 2012 cartography and has no polygon: its people "
                                "are added to parish " +
                                p.code + " '" + p.name + "', the one of canton " + r.code.substr(0, 4) +
                                " whose raster count exceeds its census count most (it was carved from it)"));
        }
    }

    // Parishes without any census count take the raster's.
    void count_on_raster(const std::vector<std::size_t>& missing) {
        if (missing.empty()) return;
        const std::vector<double>& counted = raster_counts();
        for (std::size_t i : missing) {
            const unit& p = in.parishes.units[i];
            people[i] = std::round(counted[i]);
            report.add(note(severity::warning, "design.population_from_raster", level::parish, p.code,
                            "parish '" + p.name + "' has no census 2022 row (DPA codes changed since 2012): " +
                                fmt_people(counted[i]) + " people taken from the raster",
                            p.source_fid));
        }
    }
};

}  // namespace

// Census 2022 per parish. Polygons without a census row are looked for by name among the
// census rows without a polygon (codes that changed); census parishes created after the
// 2012 cartography join the parish they were carved from; what is still missing is counted
// on the raster. Each step is reported.
parish_census match_census(const census_input& in) {
    census_work w{in, std::vector<double>(in.parishes.units.size(), 0), {}, std::nullopt};
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < in.parishes.units.size(); ++i) {
        auto it = in.census.people.find(in.parishes.units[i].code);
        if (it != in.census.people.end())
            w.people[i] = it->second;
        else
            missing.push_back(i);
    }
    std::vector<census_row> orphans = in.census.orphans;
    if (!missing.empty()) missing = w.match_by_name(missing, orphans);
    if (!in.rasters.grids.empty()) {
        w.add_to_carved_from(orphans, missing);
        w.count_on_raster(missing);
    }
    return {std::move(w.people), std::move(w.report)};
}

}  // namespace microplan::geo::design
