#pragma once
// OGC API - Features Part 4 (create, replace, update, delete) on the establishments collection
// (issue 22): what QGIS's OAPIF provider and other GIS clients send to edit features.
//   POST   /collections/establishments/items               a GeoJSON Feature -> 201, Location, ETag
//   PUT    /collections/establishments/items/{featureId}   the whole feature -> 200, ETag
//   PATCH  /collections/establishments/items/{featureId}   a JSON merge patch (RFC 7396) -> 200, ETag
//   DELETE /collections/establishments/items/{featureId}   -> 204
// and on the scenarios' proposals (one collection, "proposals"; property `scenario` says whose):
//   POST   /collections/proposals/items                    {"scenario": id, sector, typology, name} + a Point -> 201
//   PUT    /collections/proposals/items/{featureId}        the point moves (what it is stays) -> 200, ETag
//   PATCH  /collections/proposals/items/{featureId}        the same, as a merge patch
//   DELETE /collections/proposals/items/{featureId}        -> 204 (undoable like every scenario edit)
// Optimistic locking: GET .../items/{featureId} sends the stored row's version as its ETag; an
// edit with If-Match naming another version (checked against the store under its write lock)
// gets 412 and changes nothing. Behind the edit token
// like every edit. Each edit is one transaction in the server's edit session
// (scenario_book::with_store_edit), placed in every level of the store; the server then
// reloads its snapshot before answering, so the answer and every later read show the edit,
// and the other replicas hear it from the database (store_watcher.hpp).
//
// Thread safety: stateless; the scenario book serialises the edits.
#include "microplan/service/context.hpp"

namespace microplan::service {

class route_table;

class feature_edits_service {
public:
    // Registers the routes above. `this` must outlive the table.
    void register_routes(route_table& table) const;
};

// The Part 4 conformance classes the server implements (for /conformance).
const std::vector<std::string>& feature_edit_conformance();

}  // namespace microplan::service
