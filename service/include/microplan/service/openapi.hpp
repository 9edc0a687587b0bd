#pragma once
// The OpenAPI 3.0 document of the server, generated from its route table: one path per
// route pattern (and, for the collection routes, one per collection of the snapshot, the
// form QGIS and GDAL read a collection's parameters from), one operation per route, the
// path parameters of each pattern, the responses every route may give because of the request
// handler (304 for GETs that carry an ETag, 401/403 for edits) and the components they refer
// to. /api serves it; the landing page's service-desc link points there.
//
// Deterministic for a given table, snapshot and base URL. Thread safety: a pure function.
#include <nlohmann/json.hpp>
#include <string>

#include "microplan/service/routes.hpp"

namespace microplan::service {

nlohmann::json openapi_document(const route_table& routes, const snapshot& data, const std::string& base_url);

}  // namespace microplan::service
