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

std::vector<std::string> names_of(OGRFeatureDefn& defn) {
    std::vector<std::string> out;
    for (int i = 0; i < defn.GetFieldCount(); ++i) out.emplace_back(defn.GetFieldDefn(i)->GetNameRef());
    return out;
}
}  // namespace

std::optional<int> find_column(OGRFeatureDefn* defn, std::initializer_list<const char*> keys) {
    return first_column(defn, keys);
}

std::optional<int> find_column(OGRFeatureDefn* defn, const std::vector<std::string>& keys) {
    return first_column(defn, keys);
}

field_resolver::field_resolver(OGRFeatureDefn& defn, error_location where)
    : field_resolver(names_of(defn), std::move(where)) {}

field_resolver::field_resolver(std::vector<std::string> fields, error_location where)
    : fields_(std::move(fields)), taken_(fields_.size(), false), where_(std::move(where)) {}

std::string field_resolver::listing() const {
    std::string out;
    for (const auto& f : fields_) out += (out.empty() ? "" : ", ") + f;
    return out.empty() ? "none" : out;
}

std::string field_resolver::name_of(std::optional<std::size_t> i) const { return i ? fields_.at(*i) : std::string{}; }

std::optional<std::size_t> field_resolver::named(const std::string& given, std::string_view what) {
    if (given.empty() || given == "-") return std::nullopt;
    auto i = names::find_field(fields_, given);
    if (!i) {
        error_location at = where_;
        at.field = given;
        throw format_error(
            at, "field not found",
            "the " + std::string(what) + " field '" + given + "' is not in the layer; fields present: " + listing());
    }
    take(*i);
    return i;
}

std::optional<std::size_t> field_resolver::detect(const std::vector<std::string>& keys) {
    for (const auto& key : keys)
        for (std::size_t i = 0; i < fields_.size(); ++i)
            if (!taken_[i] && names::field_key(fields_[i]) == key) {
                take(i);
                return i;
            }
    return std::nullopt;
}

std::optional<std::size_t> field_resolver::resolve(const std::string& given, std::string_view what,
                                                   const std::vector<std::string>& keys) {
    return given.empty() ? detect(keys) : named(given, what);
}

void field_resolver::take(std::size_t i) { taken_.at(i) = true; }

}  // namespace microplan::geo
