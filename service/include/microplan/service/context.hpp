#pragma once
// What every endpoint gets: the request, its parsed target, the URL clients reach the server
// at (for links) and the snapshot of the store the answer must come from.
#include <memory>
#include <string>

#include "microplan/service/http.hpp"
#include "microplan/service/query.hpp"
#include "microplan/service/snapshot.hpp"

namespace microplan::geo::usecases {
class scenario_book;
}
namespace microplan::service {
using geo::usecases::scenario_book;
}

namespace microplan::service {

class store_state;

struct request_context {
    const http_request& http;
    const parsed_target& target;
    std::string base_url;  // "http://127.0.0.1:8080", no trailing slash
    std::shared_ptr<const snapshot> data;
    scenario_book* scenarios = nullptr;  // null when the server keeps no scenarios
    store_state* state = nullptr;        // the served store (edits reload it)
};

// The `level` parameter: zone, district or circuit (`fallback` when absent), a planning level of
// the store (a tier of its model, or a level it holds when it has none); request_error 400
// naming the value otherwise.
geo::level planning_level_param(const request_context& ctx, geo::level fallback);

// The `scenario` parameter: a scenario's id, or 0 for the baseline (absent, empty, 0 or 'base');
// request_error 404 for anything else, or on a server that keeps no scenarios.
std::int64_t scenario_param(const request_context& ctx);

// A JSON body with its media type.
http_response json_response(const nlohmann::json& body, std::string content_type = "application/json");

}  // namespace microplan::service
