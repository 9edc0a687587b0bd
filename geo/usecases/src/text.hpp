#pragma once
// Private to the use cases: printf-style lines for progress sinks, so the lines keep the exact
// number formats (%.2f, %g) the command line has always printed.
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "microplan/geo/usecases/progress.hpp"

namespace microplan::geo::usecases::detail {

[[gnu::format(printf, 1, 2)]] inline std::string text(const char* format, ...) {
    va_list args;
    va_start(args, format);
    va_list again;
    va_copy(again, args);
    int n = std::vsnprintf(nullptr, 0, format, args);
    va_end(args);
    std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
    if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, again);
    va_end(again);
    return out;
}

// Seconds since construction, for "in 1.23 s" in progress lines.
class stopwatch {
public:
    [[nodiscard]] double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

inline void tell(const progress& sink, const std::string& line) {
    if (sink) sink(line);
}

}  // namespace microplan::geo::usecases::detail
