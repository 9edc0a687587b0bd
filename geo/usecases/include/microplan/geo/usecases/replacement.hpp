#pragma once
// The guard against one small file replacing a whole level, sector or year of population.
// An import replaces what the store holds of the same kind (every circuit, every health
// establishment, the circuits' population of 2022); a source holding far fewer features than the
// store (a one-circuit file, a registry without coordinates) is then almost always a mistake
// that exit 0 would hide. The rule (docs/import.md, "Replacing what the store holds"): a
// replacement is refused unless the user says so (--replace) when the store holds some and the
// source brings fewer than half as many, counting establishments twice: the rows, and the rows
// placed in a unit. Every replacement, refused or not, is reported with its counts.
//
// Plain values and pure functions: thread-safe and deterministic.
#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "microplan/geo/error.hpp"

namespace microplan::geo::usecases {

// What the user said about replacing with far fewer: refuse (the default) or --replace.
enum class shrink_policy { refuse, allow };

// One kind of content replaced in the store, before and after.
struct replacement {        // members initialised, so that an initialiser may leave the last ones out
    std::string what = {};  // "circuits", "health establishments", "circuit population 2022"
    std::size_t before = 0, after = 0;
    // Establishments only: how many of them were (will be) placed in a unit.
    std::optional<std::size_t> placed_before = {}, placed_after = {};
    bool forced = false;  // written although it shrinks, because of --replace

    // True when the store holds some and the source brings fewer than half as many (rows, or
    // placed rows for establishments).
    [[nodiscard]] bool shrinks() const;
    // "circuits: 1134 → 1 (replaced with --replace)", "circuits: 0 → 1134 (new)".
    [[nodiscard]] std::string to_text() const;
};

// True when `after` is fewer than half of `before` (and `before` is not 0).
[[nodiscard]] bool far_fewer(std::size_t before, std::size_t after);

// Applies the rule to `changes`: throws format_error at `source` naming the first change that
// shrinks, its counts, the store and the flag, unless `policy` allows it; marks the shrinking
// changes `forced` when it does.
void check_replacements(std::span<replacement> changes, shrink_policy policy, const error_location& source,
                        const std::string& store);

}  // namespace microplan::geo::usecases
