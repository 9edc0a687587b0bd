#pragma once
// What the read-only source tests share: the listing of a scratch folder, to check that reading
// left nothing beside the files read.
#include <filesystem>
#include <set>
#include <string>

#include "support.hpp"

namespace microplan::geo::read_only {

inline std::set<std::string> listing(const std::string& folder) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(folder)) out.insert(e.path().filename().string());
    return out;
}

inline std::string folder_of(const test::scratch& s) {
    return std::filesystem::path(s.path("x")).parent_path().string();
}

}  // namespace microplan::geo::read_only
