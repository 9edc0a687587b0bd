#pragma once
// A deadline for a test that could hang (a deadlock in the code under test): if the watchdog is
// still alive after `limit`, it prints what did not finish and ends the process with status 3,
// because a deadlocked server cannot be stopped and joined by the test itself. Destroying the
// watchdog in time cancels it. The ctest TIMEOUT stays as the outer bound.
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
    watchdog(std::chrono::seconds limit, std::string what) : what_(std::move(what)) {
        thread_ = std::thread([this, limit] {
            std::unique_lock lock(mutex_);
            if (done_cv_.wait_for(lock, limit, [this] { return done_; })) return;
            std::fprintf(stderr, "watchdog: %s did not finish within %lld s (a deadlock?); ending the test process\n",
                         what_.c_str(), static_cast<long long>(limit.count()));
            std::fflush(stderr);
            std::_Exit(3);
        });
    }
    ~watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        done_cv_.notify_all();
        thread_.join();
    }
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

private:
    std::string what_;
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
    std::thread thread_;
};

}  // namespace microplan::test
