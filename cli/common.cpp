#include "common.hpp"

#include <fstream>
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

void add_polygon_source_options(CLI::App& app, const std::string& prefix, geo::usecases::polygon_source& source,
                                const std::string& what) {
    app.add_option("--" + prefix + "layer", source.layer, "Layer of " + what + " (default: the only polygon layer)");
    app.add_option("--" + prefix + "code-field", source.code_field, "Code field of " + what + " (default: detected)");
    app.add_option("--" + prefix + "name-field", source.name_field, "Name field of " + what + " (default: detected)");
    app.add_option("--" + prefix + "dissolve-prefix", source.dissolve_prefix,
                   "Codes of " + what +
                       " cut to their first N characters, features sharing one dissolved "
                       "(subcircuits 09D03C03S01 -> circuits: 8)")
        ->check(within(0, 64, "codes have at most 64 characters"));
}

void write_report_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out.flush()) throw geo::format_error({path, {}, {}, {}, {}}, "cannot write", "cannot write the report");
}

}  // namespace microplan::cli
