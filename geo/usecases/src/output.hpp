#pragma once
// Private to the use cases: where output files go and how text files are written.
#include <filesystem>
#include <fstream>
#include <string>

#include "microplan/geo/error.hpp"

namespace microplan::geo::usecases::detail {

// `dir`/`name`, creating `dir` when missing.
inline std::string output_path(const std::string& dir, const std::string& name) {
    std::filesystem::create_directories(dir);
    return (std::filesystem::path(dir) / name).string();
}

// Writes `text` to `path`; throws format_error("cannot write", `rule`) naming it on failure.
inline void write_text_file(const std::string& path, const std::string& text, const std::string& rule) {
    std::ofstream f(path);
    f << text;
    if (!f) throw format_error({path, {}, {}, {}, {}}, "cannot write", rule);
}

}  // namespace microplan::geo::usecases::detail
