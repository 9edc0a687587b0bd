#pragma once
// Accessibility results as planners read them: people within each threshold per unit
// (AccessMod's "population coverage"), grouped in runs (one per sector, typology and measure),
// and the lookup that indicators use. Plain values: immutable once built, safe to share.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/level.hpp"

namespace microplan::geo {

struct unit_access {
    double population = 0;       // people in the unit (raster, fractional cells)
    std::vector<double> within;  // people within each threshold
    std::optional<double> mean, median;
};

struct accessibility_run {
    std::int64_t id = 0;
    std::string sector, typology;  // typology "" = every typology of the sector
    std::string measure;           // travel_time, network_time, distance
    std::string units;             // min or km
    std::string method;            // how it was computed, for provenance
    std::string population_source;
    std::size_t establishments = 0;
    std::vector<double> thresholds;
    std::string created;
    // What the surface lacks, as codes readers translate (no_land_cover, small_scale_roads);
    // empty for a surface built from every input AccessMod asks for.
    std::vector<std::string> limitations;
    // The travel-time surface of the run (a GeoTIFF that read_cost_raster reads back whole, with
    // its elevation and walking cells) and its moves (8 or 16 neighbours); "" when not kept.
    // The server recomputes the run live over it for a scenario's proposals.
    std::string surface_source;
    int moves = 8;
    // level name -> unit code -> statistics
    std::map<std::string, std::map<std::string, unit_access>> units_by_level;
};

// Stored results looked up by sector, unit and minutes: the share of a unit's people within a
// travel time, from the sector's whole-sector run (travel_time, else network_time).
class accessibility_index {
public:
    accessibility_index() = default;
    explicit accessibility_index(std::vector<accessibility_run> runs) : runs_(std::move(runs)) {}
    // % of the unit's people within `minutes`; nullopt when no run holds that threshold.
    [[nodiscard]] std::optional<double> pct_within(const std::string& sector, level lvl, const std::string& code,
                                                   double minutes) const;
    // The thresholds (minutes) stored for a sector, ascending.
    [[nodiscard]] std::vector<double> minutes(const std::string& sector) const;
    [[nodiscard]] const accessibility_run* run_for(const std::string& sector) const;
    [[nodiscard]] const std::vector<accessibility_run>& runs() const noexcept { return runs_; }

private:
    std::vector<accessibility_run> runs_;
};

}  // namespace microplan::geo
