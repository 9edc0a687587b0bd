#pragma once
// Tolerant comparison of place names as they are written in Ecuadorian tables:
// case, accents, punctuation, parentheses, abbreviations and extra words differ.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace microplan::geo::names {

// Upper-case ASCII, accents removed (UTF-8 Latin letters), punctuation as spaces,
// spaces collapsed: "Pilagüín (Pilahuín)" -> "PILAGUIN PILAHUIN".
std::string fold(std::string_view utf8);

// The spellings a name stands for: the folded whole, the text outside parentheses,
// each parenthesised alternative, with common abbreviations expanded
// ("GNRAL." -> "GENERAL", "CRNEL." -> "CORONEL", "STO." -> "SANTO").
std::vector<std::string> variants(std::string_view utf8);

// How well two names match: 3 exact (folded), 2 same variant, 1 same words ignoring
// filler words and order, or one name's words all in the other; 0 no match.
int match_quality(std::string_view a, std::string_view b);

// Field names compared loosely: lower case, only letters and digits ("COD. DISTRITO" -> "coddistrito").
std::string field_key(std::string_view field);

// The index of `wanted` among `fields`: the exact name first, else the same field_key.
std::optional<std::size_t> find_field(const std::vector<std::string>& fields, std::string_view wanted);

}  // namespace microplan::geo::names
