#pragma once
// A deadline for tests of code that used to loop for ever: if the scope is still running after
// `limit`, the process aborts with the test's name (ctest's TIMEOUT is the second line of
// defence). Correctness never depends on timing: the limit is minutes for work of milliseconds.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace microplan::test {

class watchdog {
public:
    // `what` names the work in the message; by default the running test's name.
    explicit watchdog(std::chrono::seconds limit = std::chrono::seconds(120), std::string what = {}) {
        if (what.empty()) {
            const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
            what = info ? std::string(info->test_suite_name()) + "." + info->name() : "a test";
        }
        // A deadlocked server cannot be stopped and joined by the test: the whole process ends.
        thread_ = std::thread([this, limit, what] {
            std::unique_lock lock(mutex_);
            if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
                std::fprintf(stderr, "watchdog: %s still running after %lld s: endless loop or deadlock\n",
                             what.c_str(), static_cast<long long>(limit.count()));
                std::fflush(stderr);
                std::abort();
            }
        });
    }
    ~watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        done_cv_.notify_one();
        thread_.join();
    }
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

private:
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
    std::thread thread_;
};

}  // namespace microplan::test
