#pragma once
// One establishment created, replaced, updated or deleted (OGC API - Features Part 4, issue 22),
// on a store already open for editing (the caller holds its write lock: the server's edit
// session). A written row is placed in every level the store holds, as imports place them
// (territory/assign.hpp). Optimistic locking: each stored row has a version (a digest of every
// stored field); an edit that names the version its client last read is refused when the row
// has changed since (refusal::reason::stale), so that two analysts editing one establishment
// cannot overwrite each other unseen.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "microplan/geo/model/establishment.hpp"
#include "microplan/geo/store/planning_store.hpp"

namespace microplan::geo::usecases {

// The version of a stored row: 16 hexadecimal digits, changing with any stored field (the
// attributes, the location, the placement). What the server sends as the feature's ETag.
std::string establishment_version(const store::stored_establishment& row);

struct establishment_edit {
    enum class kind { create, replace, update, remove } what = kind::create;
    std::int64_t fid = 0;  // replace, update, remove
    // create and replace: applied to a blank establishment; update: to the stored one. Sets the
    // attributes and lon/lat (row and fid are the store's).
    std::function<void(establishment&)> change;
    // The versions the client accepts (an If-Match list; none: no check): the row's must be one.
    std::optional<std::vector<std::string>> if_match;
    std::string source = "OGC API - Features";  // recorded as the row's source
};

// What the store holds after the edit (nullopt after remove).
struct establishment_edit_result {
    std::optional<store::stored_establishment> row;
    std::string version;  // of `row`
};

// Applies `edit` in one transaction of `db`. Refusals: not_found (no row with fid), stale (the
// row's version is none of if_match), invalid (no sector, coordinates missing or out of range, a
// point in no unit of the store, a negative capacity or staff: the message names the field).
establishment_edit_result edit_establishment(store::planning_store& db, const establishment_edit& edit);

}  // namespace microplan::geo::usecases
