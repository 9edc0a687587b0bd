#pragma once
// Private to usecases: small text helpers of the design use cases.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "microplan/geo/error.hpp"

namespace microplan::geo::usecases::detail {

// The items separated by `sep`.
inline std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : sep) + i;
    return s;
}

// `text` to `path`, written beside it and renamed over it.
inline void write_text(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) throw format_error({path, {}, {}, {}, {}}, "cannot write", "cannot create the file");
        out << text;
        if (!out.flush()) throw format_error({path, {}, {}, {}, {}}, "cannot write", "writing the file failed");
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace microplan::geo::usecases::detail
