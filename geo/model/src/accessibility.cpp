#include "microplan/geo/model/accessibility.hpp"

#include <algorithm>
#include <cmath>

namespace microplan::geo {

const accessibility_run* accessibility_index::run_for(const std::string& sector) const {
    for (const char* measure : {"travel_time", "network_time"})
        for (const auto& r : runs_)
            if (r.sector == sector && r.typology.empty() && r.measure == measure) return &r;
    return nullptr;
}

std::optional<double> accessibility_index::pct_within(const std::string& sector, level lvl, const std::string& code,
                                                      double minutes) const {
    const accessibility_run* r = run_for(sector);
    if (!r) return std::nullopt;
    auto t = std::find_if(r->thresholds.begin(), r->thresholds.end(),
                          [&](double v) { return std::abs(v - minutes) < 1e-9; });
    if (t == r->thresholds.end()) return std::nullopt;
    auto l = r->units_by_level.find(std::string(level_name(lvl)));
    if (l == r->units_by_level.end()) return std::nullopt;
    auto u = l->second.find(code);
    if (u == l->second.end() || !(u->second.population > 0)) return std::nullopt;
    return 100.0 * u->second.within[static_cast<std::size_t>(t - r->thresholds.begin())] / u->second.population;
}

std::vector<double> accessibility_index::minutes(const std::string& sector) const {
    const accessibility_run* r = run_for(sector);
    return r ? r->thresholds : std::vector<double>{};
}

}  // namespace microplan::geo
