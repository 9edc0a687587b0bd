#include "microplan/geo/io/fields.hpp"

#include "microplan/geo/model/names.hpp"

namespace microplan::geo {

namespace {
template <class Keys>
std::optional<int> first_column(OGRFeatureDefn* defn, const Keys& keys) {
    for (const auto& k : keys)
        for (int i = 0; i < defn->GetFieldCount(); ++i)
            if (names::field_key(defn->GetFieldDefn(i)->GetNameRef()) == k) return i;
    return std::nullopt;
}
}  // namespace

std::optional<int> find_column(OGRFeatureDefn* defn, std::initializer_list<const char*> keys) {
    return first_column(defn, keys);
}

std::optional<int> find_column(OGRFeatureDefn* defn, const std::vector<std::string>& keys) {
    return first_column(defn, keys);
}

}  // namespace microplan::geo
