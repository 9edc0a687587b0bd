#pragma once
// The field resolver every reader shares: source fields are found by name compared loosely
// (names::field_key: "COD. DISTRITO" matches "coddistrito"), in order of preference.
#include <ogrsf_frmts.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace microplan::geo {

// The first field whose name matches one of `keys` (in order of preference) compared with
// names::field_key; nullopt when none does.
std::optional<int> find_column(OGRFeatureDefn* defn, std::initializer_list<const char*> keys);
std::optional<int> find_column(OGRFeatureDefn* defn, const std::vector<std::string>& keys);

}  // namespace microplan::geo
