#pragma once
// The scenario API (JSON; the viewer and scripts use the same calls):
//   GET    /scenarios                              list
//   POST   /scenarios {"name"}                     create (201)
//   GET    /scenarios/{id}                         the scenario and its proposed establishments (GeoJSON)
//   PATCH  /scenarios/{id} {"name"}                rename
//   DELETE /scenarios/{id}                         delete (204)
//   POST   /scenarios/{id}/establishments {"sector","typology","lon","lat"[,"name"]}   add (201)
//   PATCH  /scenarios/{id}/establishments/{eid} {"lon","lat"}                        move
//   DELETE /scenarios/{id}/establishments/{eid}                                      delete (204)
//   POST   /scenarios/{id}/undo                    revert the last edit
//   GET    /scenarios/{id}/compare?level=&sector=  per unit: deficit, cost and people covered, before / after
//   GET    /scenarios/{id}/export.gpkg             GeoPackage: proposals and the comparison per unit
// Writes need the edit token (the request handler checks it before calling).
//
// Thread safety: stateless; the scenario book synchronises.
#include "microplan/service/context.hpp"

namespace microplan::service {

class scenarios_service {
public:
    http_response handle(const request_context& ctx, const std::vector<std::string>& segments) const;

private:
    http_response compare(const request_context& ctx, std::int64_t id) const;
    http_response export_geopackage(const request_context& ctx, std::int64_t id) const;
};

// The body of a write as a JSON object (request_error 400 when it is not one).
nlohmann::json read_json_body(const http_request& request);

}  // namespace microplan::service
