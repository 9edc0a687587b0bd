#include "common.hpp"

#include <map>

namespace microplan::cli {

void print_findings(const geo::findings& report, std::size_t limit_per_rule) {
    std::map<std::string, std::size_t> seen;
    for (const auto& f : report.items) {
        std::size_t n = ++seen[f.rule];
        if (limit_per_rule == 0 || n <= limit_per_rule) std::fprintf(stderr, "  %s\n", f.to_text().c_str());
    }
    if (limit_per_rule == 0) return;
    for (const auto& [rule, n] : seen)
        if (n > limit_per_rule)
            std::fprintf(stderr, "  ... and %zu more [%s] (--json lists them all)\n", n - limit_per_rule, rule.c_str());
}

geo::usecases::progress progress_on_stderr() {
    return [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
}

nlohmann::json placement_json(const geo::usecases::placement_report& r) {
    const geo::assign_summary& s = r.summary;
    return {{"rows", r.rows},
            {"primary_level", s.primary ? std::string(geo::level_name(*s.primary)) : std::string()},
            {"inside", s.inside},
            {"snapped", s.snapped},
            {"outside", s.outside},
            {"invalid", s.invalid},
            {"swapped", s.swapped},
            {"duplicate_ids", s.duplicate_ids},
            {"duplicate_locations", s.duplicate_locations}};
}

void print_placement(const geo::usecases::placement_report& r) {
    const geo::assign_summary& s = r.summary;
    std::printf(
        "%zu establishments: %zu inside a %s, %zu snapped, %zu outside every unit, %zu without usable "
        "coordinates (%zu swapped lon/lat, %zu duplicate ids, %zu duplicate locations)\n",
        r.rows, s.inside, s.primary ? std::string(geo::level_name(*s.primary)).c_str() : "unit", s.snapped, s.outside,
        s.invalid, s.swapped, s.duplicate_ids, s.duplicate_locations);
}

nlohmann::json replacement_json(const geo::usecases::replacement& r) {
    nlohmann::json j{{"what", r.what}, {"before", r.before}, {"after", r.after}, {"forced", r.forced}};
    if (r.placed_before) j["placed_before"] = *r.placed_before;
    if (r.placed_after) j["placed_after"] = *r.placed_after;
    return j;
}

void print_replacement(const geo::usecases::replacement& r) { std::printf("%s\n", r.to_text().c_str()); }

}  // namespace microplan::cli
