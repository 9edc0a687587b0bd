#pragma once
// Helpers shared by the sub-commands: flag parsing (levels), printing (findings, progress,
// placement summaries) and timing. Every command body is: flags -> one use-case call -> print.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "microplan/geo/core/postgres.hpp"
#include "microplan/geo/error.hpp"
#include "microplan/geo/model/bounds.hpp"
#include "microplan/geo/model/finding.hpp"
#include "microplan/geo/model/level.hpp"
#include "microplan/geo/usecases/establishments.hpp"
#include "microplan/geo/usecases/plan_evaluation.hpp"
#include "microplan/geo/usecases/progress.hpp"
#include "microplan/geo/usecases/replacement.hpp"

namespace microplan::cli {

namespace geo = microplan::geo;
using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// The items separated by `sep` ("a, b, c").
inline std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : sep) + i;
    return s;
}

// Findings on stderr, one per line; at most `limit` of each rule, then a count.
void print_findings(const geo::findings& report, std::size_t limit_per_rule = 0);

// A use case's progress lines, each printed on stderr.
geo::usecases::progress progress_on_stderr();

// Where establishments were placed: as JSON ("summary") and as one line on stdout.
nlohmann::json placement_json(const geo::usecases::placement_report& r);
void print_placement(const geo::usecases::placement_report& r);

// What an import replaced: as JSON ({"what", "before", "after", "forced", ...}) and one line per
// replacement on stdout ("replaced circuits: 1134 → 1 (replaced with --replace)").
nlohmann::json replacement_json(const geo::usecases::replacement& r);
void print_replacement(const geo::usecases::replacement& r);

// The --replace flag of every command whose import replaces a level, a sector or a year.
inline void add_replace_flag(CLI::App& app, geo::usecases::shrink_policy& policy) {
    app.add_flag_function(
        "--replace", [&policy](std::int64_t) { policy = geo::usecases::shrink_policy::allow; },
        "Replace what the store holds even when the source brings fewer than half as many "
        "(refused by default: docs/import.md)");
}

// --<prefix>layer, --<prefix>code-field, --<prefix>name-field and --<prefix>dissolve-prefix of a
// polygon source read as a plan (`what` names it in the help: "the plan", "plan A").
void add_polygon_source_options(CLI::App& app, const std::string& prefix, geo::usecases::polygon_source& source,
                                const std::string& what);

// `text` written to `path`; format_error naming the file when it cannot be.
void write_report_file(const std::string& path, const std::string& text);

inline geo::level level_option(const std::string& text) {
    auto l = geo::parse_level(text);
    if (!l || *l == geo::level::nation)
        throw geo::format_error({}, "unknown level",
                                "'" + text + "'; use zone, district, circuit, province, canton or parish");
    return *l;
}

// A planning store: an existing SpatiaLite file, or a PostgreSQL database by its URI
// (postgresql://…, libpq's syntax; the password from PGPASSWORD or ~/.pgpass).
inline const CLI::Validator existing_store(
    [](std::string& location) -> std::string {
        if (geo::postgres::is_uri(location)) return {};
        return CLI::ExistingFile(location);
    },
    "STORE");

inline const CLI::Validator level_names =
    CLI::IsMember({"zone", "district", "circuit", "province", "canton", "parish", "zones", "districts", "circuits",
                   "provinces", "cantons", "parishes"},
                  CLI::ignore_case);

// A numeric option inside `range` (geo/model/bounds.hpp); the message names the value, the
// bound and why, e.g. "--nesting-share: '2' must be between 0 and 1: a share of an area".
inline CLI::Validator within(const geo::bounds::interval& range) {
    return CLI::Validator(
        [range](std::string& input) -> std::string {
            double v = 0;
            if (!CLI::detail::lexical_cast(input, v)) return "'" + input + "' is not a number";
            return geo::bounds::within(v, range) ? std::string{} : geo::bounds::violation(input, range);
        },
        [&range] {
            char text[64];
            std::snprintf(text, sizeof text, "in [%g, %g]", range.low, range.high);
            return std::string(text);
        }());
}
inline CLI::Validator within(double low, double high, const char* why) { return within({low, high, why}); }

// Ranges of options used by several commands.
inline const geo::bounds::interval thread_count{0, 1024, "0 means every core; more than 1,024 threads is a typo"};
inline const geo::bounds::interval snap_metres{0, 100000, "snapping farther than 100 km places points anywhere"};

}  // namespace microplan::cli
