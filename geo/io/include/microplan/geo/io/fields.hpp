#pragma once
// The field resolver every reader shares: source fields are found by name compared loosely
// (names::field_key: "COD. DISTRITO" matches "coddistrito"), in order of preference; a field
// the user names must exist. `field_resolver` is one per reader call (it remembers which
// fields are taken); the free functions are stateless.
#include <ogrsf_frmts.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "microplan/geo/error.hpp"

namespace microplan::geo {

// The first field whose name matches one of `keys` (in order of preference) compared with
// names::field_key; nullopt when none does.
std::optional<int> find_column(OGRFeatureDefn* defn, std::initializer_list<const char*> keys);
std::optional<int> find_column(OGRFeatureDefn* defn, const std::vector<std::string>& keys);

// The fields of one layer, and which of them a reader has taken, so that one source field
// does not feed two of microplan's (a "code" column is not also read as the name).
class field_resolver {
public:
    // `where` names the file and layer in messages.
    field_resolver(OGRFeatureDefn& defn, error_location where);
    field_resolver(std::vector<std::string> fields, error_location where);

    [[nodiscard]] const std::vector<std::string>& fields() const noexcept { return fields_; }
    // "a, b, c" ("none" when the layer has no fields), for messages.
    [[nodiscard]] std::string listing() const;
    // The field's name, "" for none.
    [[nodiscard]] std::string name_of(std::optional<std::size_t> i) const;

    // The field the user named (`what` says which: "code", "capacity"): the exact name first,
    // else the same field_key. nullopt for "" (detect it) and "-" (the source has none).
    // Throws format_error "field not found", naming the field and listing those present.
    std::optional<std::size_t> named(const std::string& given, std::string_view what);
    // The first field not taken whose field_key is one of `keys`, keys in order of preference.
    std::optional<std::size_t> detect(const std::vector<std::string>& keys);
    // named() when `given` is not "", else detect(keys); "-" is none.
    std::optional<std::size_t> resolve(const std::string& given, std::string_view what,
                                       const std::vector<std::string>& keys);

    // Marks a field as taken (named() and detect() take what they return).
    void take(std::size_t i);
    [[nodiscard]] bool taken(std::size_t i) const { return taken_.at(i); }

private:
    std::vector<std::string> fields_;
    std::vector<bool> taken_;
    error_location where_;
};

}  // namespace microplan::geo
