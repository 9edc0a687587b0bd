#pragma once
// Flags the `access` sub-commands share: the friction surface (a raster or its sources), the
// store, sector, population and thresholds of a run; and how a run is printed.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "microplan/geo/usecases/accessibility.hpp"

namespace microplan::cli {

// --friction or --landcover, --speeds, --roads, ..., --knight.
void add_surface_options(CLI::App& app, microplan::geo::usecases::surface_request& s, bool friction_choice = true);

struct run_args {
    microplan::geo::usecases::accessibility_request request;
    std::string thresholds;  // as typed: "15,30,60,120"
    bool no_store = false;
    // The request with progress printed on stderr and, for runs that use them, its thresholds parsed.
    [[nodiscard]] microplan::geo::usecases::accessibility_request parsed(bool with_thresholds = true) const;
};
// The store, --sector, --typology, --population, --thresholds (in `units`), --out-dir, --no-store.
void add_run_options(CLI::App& app, run_args& a, const char* default_thresholds, const char* units);

// "15,30" -> {15, 30}, sorted and unique; format_error for anything but positive numbers.
std::vector<double> parse_thresholds(const std::string& text);

// A run's national figures (the units of the top level present summed) on stdout.
void print_run(const microplan::geo::accessibility_run& run);

}  // namespace microplan::cli
