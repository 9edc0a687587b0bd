#pragma once
// The territorial levels microplan knows: the planning hierarchy (zone > district >
// circuit) and the administrative source units (province > canton > parish); and the nation
// itself, the central level at which some standards are planned (the method's Tabla 1: every
// ministry keeps a central level). The nation has no units table: it is not in all_levels.
#include <optional>
#include <string>
#include <string_view>

namespace microplan::geo {

enum class level { zone, district, circuit, province, canton, parish, nation };

inline constexpr level all_levels[] = {level::zone,     level::district, level::circuit,
                                       level::province, level::canton,   level::parish};

// "district"
std::string_view level_name(level l);
// "districts": the store table that holds the level.
std::string_view level_table(level l);
// Parses "district", "districts", "distrito"...; nullopt when unknown.
std::optional<level> parse_level(std::string_view name);
// The level above (district -> zone); nullopt for zone and province.
std::optional<level> parent_level(level l);
// The level below (zone -> district); nullopt for circuit and parish.
std::optional<level> child_level(level l);

// True when `code` has the shape of a code of level `l`:
//   zone Z1..Z9, district 17D06, circuit 17D06C03, province 17, canton 1701, parish 170150.
bool code_is_well_formed(level l, std::string_view code);
// Why the text of a code, as read, cannot be a code (nullopt when it can): codes are plain
// printable ASCII, so a JSON object or array, a control character, or any non-ASCII character
// (a no-break space, a zero-width space, Arabic-Indic or full-width digits that look like
// digits but never match) is named with its position, e.g. "character 3 is U+200B (zero-width
// space)". Pure function, safe from any thread.
std::optional<std::string> code_text_problem(std::string_view raw);
// The planning level (zone, district, circuit) whose code shape `code` has; nullopt for none.
std::optional<level> planning_level_of_code(std::string_view code);
// A human description of the code shape of `l`, for messages ("like 17D06C03").
std::string_view code_shape(level l);
// The parent code that the code itself carries (17D06C03 -> 17D06, 170150 -> 1701,
// 1701 -> 17); nullopt when the level's code does not carry it (district -> zone).
std::optional<std::string> parent_code_from_code(level l, std::string_view code);

}  // namespace microplan::geo
