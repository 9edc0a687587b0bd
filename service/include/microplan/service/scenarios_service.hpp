#pragma once
// The scenario API (JSON; the viewer and scripts use the same calls):
//   GET    /scenarios                              list
//   POST   /scenarios {"name"}                     create (201)
//   GET    /scenarios/{id}                         the scenario, its proposed and its closed establishments (GeoJSON)
//   PATCH  /scenarios/{id} {"name"}                rename
//   DELETE /scenarios/{id}                         delete (204)
//   POST   /scenarios/{id}/establishments {"sector","typology","lon","lat"[,"name"]}   add (201)
//   PATCH  /scenarios/{id}/establishments/{eid} {"lon","lat"}                        move
//   DELETE /scenarios/{id}/establishments/{eid}                                      delete (204)
//   POST   /scenarios/{id}/closures/{fid}          close a stored establishment in the scenario (201; 200 if closed)
//   DELETE /scenarios/{id}/closures/{fid}          open it again (204)
//   POST   /scenarios/{id}/undo                    revert the last edit
//   GET    /scenarios/{id}/compare?level=&sector=  per unit: deficit, cost and people covered, before / after
//   GET    /scenarios/{id}/export.gpkg             GeoPackage: proposals, closures and the comparison per unit
// Writes are routes marked `edits`: the request handler checks the edit token before calling.
//
// Thread safety: stateless; the scenario book synchronises.
#include "microplan/service/context.hpp"

namespace microplan::service {

class route_table;
class path_params;

class scenarios_service {
public:
    // Registers the routes above. `this` must outlive the table.
    void register_routes(route_table& table) const;

    // One per route; 404 NotAvailable when the server keeps no scenarios, 404 for an unknown id.
    http_response list(const request_context& ctx, const path_params& p) const;
    http_response create(const request_context& ctx, const path_params& p) const;
    http_response show(const request_context& ctx, const path_params& p) const;
    http_response rename(const request_context& ctx, const path_params& p) const;
    http_response remove(const request_context& ctx, const path_params& p) const;
    http_response add_establishment(const request_context& ctx, const path_params& p) const;
    http_response move_establishment(const request_context& ctx, const path_params& p) const;
    http_response remove_establishment(const request_context& ctx, const path_params& p) const;
    http_response close_establishment(const request_context& ctx, const path_params& p) const;
    http_response reopen_establishment(const request_context& ctx, const path_params& p) const;
    http_response undo(const request_context& ctx, const path_params& p) const;

private:
    void register_establishment_routes(route_table& table) const;
    void register_closure_routes(route_table& table) const;
    http_response compare(const request_context& ctx, std::int64_t id) const;
    http_response travel_tile(const request_context& ctx, const path_params& p) const;
    http_response suggest(const request_context& ctx, std::int64_t id) const;
    http_response export_geopackage(const request_context& ctx, std::int64_t id) const;
};

// The body of a write as a JSON object (request_error 400 when it is not one).
nlohmann::json read_json_body(const http_request& request);

}  // namespace microplan::service
