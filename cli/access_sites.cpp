// `microplan access sites`: where to build next (greedy MCLP; exact MIP with CBC).
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "access_options.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "microplan/geo/usecases/sites.hpp"

namespace microplan::cli {

namespace {

void print_sites(const geo::usecases::sites_result& r, const geo::access::site_options& o, bool to_stdout) {
    const geo::access::site_result& s = r.sites;
    if (to_stdout) std::printf("%s", r.csv.c_str());
    double added = 0;
    for (const auto& st : s.greedy) added += st.added;
    std::printf(
        "%zu sites add %.0f people within %.0f min: coverage %.1f %% -> %.1f %% (%zu candidates, %zu "
        "uncovered cells)\n",
        s.greedy.size(), added, o.minutes, s.total > 0 ? 100.0 * s.covered_before / s.total : 0.0,
        s.total > 0 ? 100.0 * (s.covered_before + added) / s.total : 0.0, s.candidates, s.demand_cells);
    if (r.candidate_points)
        std::printf(
            "%zu candidate points read, %zu unusable (outside the surface, impassable, excluded or sharing a "
            "cell with an earlier one)\n",
            r.candidate_points, s.points_unusable);
    if (o.exact)
        std::printf("exact MIP (CBC, %zu candidates, %zu demand groups): %s%s\n", s.candidates, s.exact_groups,
                    s.exact_status.c_str(),
                    s.exact_added ? (", optimum " + std::to_string(std::llround(*s.exact_added)) +
                                     " people; greedy gap " + std::to_string(*s.gap * 100).substr(0, 5) + " %")
                                        .c_str()
                                  : "");
}

}  // namespace

command add_access_sites(CLI::App& app) {
    auto a = std::make_shared<run_args>();
    auto request = std::make_shared<geo::usecases::sites_request>();
    auto target = std::make_shared<double>(0);
    geo::access::site_options& opt = request->options;
    add_run_options(app, *a, "30", "minutes");
    add_surface_options(app, request->surface);
    app.add_option("--minutes", opt.minutes, "Coverage threshold (minutes)")
        ->check(within(geo::bounds::travel_minutes))
        ->capture_default_str();
    CLI::Option* count =
        app.add_option("-k,--count", opt.k, "Sites to propose (with --target-pct: the most; default no limit)")
            ->check(within(0, 1e6, "a million new sites is beyond any plan"))
            ->capture_default_str();
    app.add_option("--target-pct", *target, "Stop once this % of the people is covered")
        ->check(within(0, 100, "a percentage"));
    app.add_option("--max-candidates", opt.max_candidates, "Candidate cells (most uncovered people first)")
        ->check(within(1, 1e8, "candidates are cells of the surface; 1e8 is beyond any surface microplan reads"))
        ->capture_default_str();
    app.add_option_function<std::string>(
        "--candidates",
        [request](const std::string& value) {
            // A number that names no file was meant as a count (earlier releases took one here).
            char* end = nullptr;
            std::strtod(value.c_str(), &end);
            if (!value.empty() && *end == '\0' && !std::filesystem::exists(value))
                throw CLI::ValidationError("--candidates", "'" + value +
                                                               "' is no file: --candidates takes a point layer; "
                                                               "the number of candidate cells is --max-candidates");
            request->candidates = value;
        },
        "Candidate sites: points from any GDAL source (settlements, plots); default: the cells with most uncovered "
        "people (--max-candidates)");
    app.add_option("--candidates-layer", request->candidates_layer, "Layer of --candidates (default: the only one)");
    app.add_option("--exclude", request->exclude, "Polygon layers where no site may go (protected areas, risk zones)");
    app.add_flag("--exact", opt.exact, "Also solve the exact MIP with CBC and report the greedy's gap");
    app.add_option("--exact-candidates", opt.exact_max_candidates, "Candidates kept when --exact is given")
        ->check(within(1, 1e6, "the exact model grows with its candidates; a million is beyond what CBC solves"))
        ->capture_default_str();
    app.add_option("--out,-o", request->out, "Sites to write (CSV)");
    return [a, request, target, count] {
        auto t0 = clock_type::now();
        geo::access::site_options& o = request->options;
        if (*target > 0 && count->count() == 0) o.k = std::numeric_limits<std::size_t>::max();  // as many as needed
        if (*target > 0) o.target_pct = *target;
        request->base = a->parsed(false);
        geo::usecases::sites_result r = geo::usecases::propose_sites(*request);
        print_sites(r, o, request->out.empty());
        std::printf("%.2f s\n", seconds_since(t0));
        return 0;
    };
}

}  // namespace microplan::cli
