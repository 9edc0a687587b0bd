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

}  // namespace microplan::cli
