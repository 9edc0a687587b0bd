// Scenario edits as a workshop's browser sends them, with arbitrary bodies: the first byte picks
// the operation (create, rename, propose, move, delete, undo, compare, close or reopen an
// existing establishment, show the scenario), the second an establishment id (a proposal's, or
// for closures a stored establishment's fid), the rest is the JSON body. They run through the whole request
// handler with editing on, the scenario book writing each edit to a copy of the demo store
// (MICROPLAN_FUZZ_STORE, copied to MICROPLAN_FUZZ_SCRATCH or /dev/shm so the writes stay in
// memory). Any answer is fine except a 500 or a status outside HTTP's: a body must be taken or
// refused (400/404/409/422), never break the server, and the store must stay writable.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "microplan/service/request_handler.hpp"
#include "microplan/service/scenarios.hpp"

namespace service = microplan::service;

namespace {

const char* const token = "fuzz-scenario-bodies-0123456789";
service::store_state* state = nullptr;
service::scenario_book* book = nullptr;
service::request_handler* handler = nullptr;
std::string scenario;
std::string store_copy;
unsigned long executions = 0;

std::string id_in(const std::string& body) {
    const auto at = body.find("\"id\":");
    return at == std::string::npos ? std::string() : std::to_string(std::strtoll(body.c_str() + at + 5, nullptr, 10));
}

service::http_response send(const std::string& method, const std::string& target, std::string body) {
    service::http_request r;
    r.method = method;
    r.target = target;
    r.authorization = std::string("Bearer ") + token;
    r.body = std::move(body);
    auto response = handler->handle(r);
    if (response.status < 100 || response.status > 599 || response.status == 500) {
        std::fprintf(stderr, "%s %s answered %u: %s\n", method.c_str(), target.c_str(), response.status,
                     response.body->c_str());
        std::abort();
    }
    return response;
}

// A fresh scenario to edit (the previous one deleted), so proposals do not pile up for ever.
void new_scenario() {
    if (!scenario.empty()) send("DELETE", "/scenarios/" + scenario, "");
    auto r = send("POST", "/scenarios", R"({"name":"fuzz"})");
    if (r.status != 201) {
        std::fprintf(stderr, "cannot create a scenario: %u %s\n", r.status, r.body->c_str());
        std::abort();
    }
    scenario = id_in(*r.body);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* store = std::getenv("MICROPLAN_FUZZ_STORE");
    if (!store) {
        std::fprintf(stderr, "set MICROPLAN_FUZZ_STORE to a demo store (make fuzz does)\n");
        std::abort();
    }
    namespace fs = std::filesystem;
    const char* scratch_env = std::getenv("MICROPLAN_FUZZ_SCRATCH");
    const fs::path scratch = scratch_env                    ? fs::path(scratch_env)
                             : fs::is_directory("/dev/shm") ? fs::path("/dev/shm")
                                                            : fs::temp_directory_path();
    const fs::path copy = scratch / ("microplan-fuzz-scenarios-" + std::to_string(::getpid()) + ".sqlite");
    fs::copy_file(store, copy, fs::copy_options::overwrite_existing);
    state = new service::store_state(service::snapshot::load(copy.string()), 16 * 1024 * 1024);
    book = new service::scenario_book(copy.string(), {});
    book->rebase(state->current());
    service::handler_options o;
    o.edit_token = token;
    handler = new service::request_handler(*state, o, book);
    scenario.clear();
    new_scenario();
    store_copy = copy.string();
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove(store_copy, ec);
        std::filesystem::remove(store_copy + ".lock", ec);
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    if (++executions % 2000 == 0) new_scenario();
    const std::string base = "/scenarios/" + scenario;
    const std::string establishment = base + "/establishments/" + std::to_string(data[1] % 64);
    std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);
    const std::string closure = base + "/closures/" + std::to_string(data[1] % 256);
    switch (data[0] % 11) {
        case 0:  // a scenario created is deleted at once, so they do not pile up
            if (auto r = send("POST", "/scenarios", std::move(body)); r.status == 201)
                send("DELETE", "/scenarios/" + id_in(*r.body), "");
            break;
        case 1:
            send("PATCH", base, std::move(body));
            break;
        case 2:
        case 3:
            send("POST", base + "/establishments", std::move(body));
            break;
        case 4:
            send("PATCH", establishment, std::move(body));
            break;
        case 5:
            send("DELETE", establishment, std::move(body));
            break;
        case 6:
            send("POST", base + "/undo", std::move(body));
            break;
        case 7:
            send("GET", base + "/compare?level=district&sector=health", "");
            break;
        case 8:
            send("POST", closure, std::move(body));
            break;
        case 9:
            send("DELETE", closure, std::move(body));
            break;
        default:
            send("GET", base, "");
            break;
    }
    return 0;
}
