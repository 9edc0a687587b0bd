#pragma once
// `microplan serve` as a user starts it: the built binary in a child process (through the
// shell, with its stdout and stderr in a file), waited for until it prints "serving http://…".
// Killed (SIGKILL) on destruction if still running. Not thread-safe; one per test.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support.hpp"

namespace microplan::test {

class serve_process {
public:
    // `args` follow `microplan serve`; `env` (e.g. "MICROPLAN_FAULT=x ") precedes the command.
    // Waits up to a minute for the server to say where it serves (the demo loads in seconds
    // under ThreadSanitizer on a busy machine); port() is 0 when it never did.
    serve_process(const scratch& dir, const std::string& args, const std::string& env = "")
        : out_(dir.path("serve-" + std::to_string(++count()) + ".out")) {
        auto started = run(env + std::string(MICROPLAN_BINARY) + " serve " + args + " > " + out_ + " 2>&1 & echo $!");
        pid_ = started.output.substr(0, started.output.find('\n'));
        for (int i = 0; i < 1200 && !port_; ++i) {
            const std::string text = read_bytes(out_);
            const auto at = text.find("serving http://127.0.0.1:");
            if (at != std::string::npos)
                port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + 25)));
            else if (!running())
                break;
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~serve_process() {
        if (running()) run("kill -9 " + pid_);
    }
    serve_process(const serve_process&) = delete;
    serve_process& operator=(const serve_process&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    // Everything the server printed so far (stdout and stderr).
    [[nodiscard]] std::string output() const { return read_bytes(out_); }
    // The value printed after `label` on its line ("workshop viewer" → the viewer's URL).
    [[nodiscard]] std::string printed(const std::string& label) const {
        const std::string text = output();
        auto at = text.find(label);
        if (at == std::string::npos) return "";
        at = text.find_first_not_of(' ', at + label.size());
        return text.substr(at, text.find('\n', at) - at);
    }
    [[nodiscard]] bool running() const { return run("kill -0 " + pid_ + " 2>/dev/null").exit_code == 0; }

private:
    static int& count() {
        static int n = 0;
        return n;
    }
    std::string out_, pid_;
    std::uint16_t port_ = 0;
};

}  // namespace microplan::test
