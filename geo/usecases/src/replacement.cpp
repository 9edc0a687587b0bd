#include "microplan/geo/usecases/replacement.hpp"

namespace microplan::geo::usecases {

bool far_fewer(std::size_t before, std::size_t after) { return before > 0 && after < before - before / 2; }

bool replacement::shrinks() const {
    return far_fewer(before, after) || (placed_before && placed_after && far_fewer(*placed_before, *placed_after));
}

std::string replacement::to_text() const {
    std::string out = what + ": " + std::to_string(before) + " → " + std::to_string(after);
    if (placed_before && placed_after)
        out += ", placed in a unit " + std::to_string(*placed_before) + " → " + std::to_string(*placed_after);
    if (before == 0) return out + " (new)";
    return out + (forced ? " (replaced with --replace)" : " (replaced)");
}

namespace {

std::string counts_text(std::size_t n, const std::optional<std::size_t>& placed) {
    return std::to_string(n) + (placed ? " (" + std::to_string(*placed) + " placed in a unit)" : std::string());
}

}  // namespace

void check_replacements(std::span<replacement> changes, shrink_policy policy, const error_location& source,
                        const std::string& store) {
    for (replacement& c : changes) {
        if (!c.shrinks()) continue;
        if (policy == shrink_policy::allow) {
            c.forced = true;
            continue;
        }
        throw format_error(source, "replacement refused",
                           c.what + ": the store " + store + " holds " + counts_text(c.before, c.placed_before) +
                               ", this source brings " + counts_text(c.after, c.placed_after) +
                               ", fewer than half; nothing was written (an import replaces all of them: pass "
                               "--replace if that is meant)");
    }
}

}  // namespace microplan::geo::usecases
