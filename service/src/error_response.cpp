#include "microplan/service/error_response.hpp"

#include <nlohmann/json.hpp>

#include "microplan/geo/error.hpp"
#include "microplan/geo/store/write_lock.hpp"
#include "microplan/geo/usecases/refusal.hpp"

namespace microplan::service {

namespace {
error_response make(int status, const std::string& code, const std::string& message) {
    return {status,
            nlohmann::json{{"code", code}, {"message", message}}.dump(-1, ' ', false,
                                                                      nlohmann::json::error_handler_t::replace),
            false,
            {}};
}
}  // namespace

error_response to_response(const request_error& e) { return make(e.status(), e.code(), e.what()); }

http_response as_http(error_response e) {
    http_response r;
    r.status = static_cast<unsigned>(e.status);
    r.set_body(std::move(e.body));
    return r;
}

error_response current_exception_response() {
    try {
        throw;
    } catch (const request_error& e) {
        return to_response(e);
    } catch (const geo::usecases::refusal& e) {
        switch (e.why()) {
            case geo::usecases::refusal::reason::not_found:
                return make(404, "NotFound", e.what());
            case geo::usecases::refusal::reason::not_available:
                return make(404, "NotAvailable", e.what());
            case geo::usecases::refusal::reason::stale:
                return make(412, "PreconditionFailed", e.what());
            case geo::usecases::refusal::reason::invalid:
                break;
        }
        return make(422, "InvalidData", e.what());
    } catch (const geo::store::store_busy&) {
        // Another program (an import) is writing the store. The body names no path (the
        // detail, with the lock file, is the server's to log, not the client's to see).
        return make(503, "StoreBusy",
                    "another program is writing the planning store; nothing was changed: try again in a moment");
    } catch (const geo::store_error& e) {
        error_response r = make(500, "StoreError", "the planning store cannot be read");
        r.log = true;
        r.log_line = e.what();
        return r;
    } catch (const geo::error& e) {
        // Bad data sent by the client (an upload, a geometry): unprocessable.
        return make(422, "InvalidData", e.what());
    } catch (const std::exception& e) {
        error_response r = make(500, "InternalError", "internal error");
        r.log = true;
        r.log_line = e.what();
        return r;
    } catch (...) {
        error_response r = make(500, "InternalError", "internal error");
        r.log = true;
        r.log_line = "unknown exception";
        return r;
    }
}

}  // namespace microplan::service
