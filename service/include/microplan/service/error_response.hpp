#pragma once
// The one place where failures become HTTP answers: status + JSON {"code","message"}.
// Client mistakes are 4xx with a message a person can act on; anything else is 500
// with a generic message (the details go to the log, not to the client).
#include <exception>
#include <string>

#include "microplan/service/http.hpp"

namespace microplan::service {

// A request the client got wrong: its HTTP status and a stable code ("InvalidParameterValue").
class request_error : public std::exception {
public:
    request_error(int status, std::string code, std::string message)
        : status_(status), code_(std::move(code)), message_(std::move(message)) {}
    [[nodiscard]] int status() const noexcept { return status_; }
    [[nodiscard]] const std::string& code() const noexcept { return code_; }
    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

private:
    int status_;
    std::string code_;
    std::string message_;
};

struct error_response {
    int status = 500;
    std::string body;  // {"code": ..., "message": ...}
    bool log = false;  // true for server-side failures
    std::string log_line;
};

// Maps the exception in flight (call inside a catch block) to a response.
error_response current_exception_response();
// The response for a client mistake (also used by the connection code for requests it
// refuses before any handler sees them: malformed, headers or body too large).
error_response to_response(const request_error& e);
// The HTTP answer carrying an error_response.
http_response as_http(error_response e);

}  // namespace microplan::service
