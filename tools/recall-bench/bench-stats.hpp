// Latencies and throughput of one operation, and how they are printed.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

struct Summary {
    std::string operation;
    size_t count = 0;  // operations that succeeded
    size_t errors = 0; // operations that failed
    std::string first_error;
    double seconds = 0;    // wall time of the whole run
    double throughput = 0; // successful operations per second
    double min_ms = 0, median_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};

// Collects per-operation latencies from several threads.
class Recorder {
public:
    void success(double seconds);
    void failure(const std::string &error);
    Summary summarize(const std::string &operation, double wall_seconds) const;
    double timed_seconds() const; // the sum of the successful latencies

private:
    mutable std::mutex mutex_;
    std::vector<double> latencies_;
    size_t errors_ = 0;
    std::string first_error_;
};

// Nearest-rank percentile of sorted values; 0 for none.
double percentile(const std::vector<double> &sorted, double fraction);

std::string to_text(const Summary &summary);
std::string json_string(const std::string &text); // quoted and escaped
std::string to_json(const std::vector<Summary> &summaries);

// "deliver: 523/1000" on stderr, at most once a second, for long runs.
class Progress {
public:
    Progress(std::string operation, size_t total, bool quiet);
    ~Progress();
    void advance();

private:
    std::mutex mutex_;
    std::string operation_;
    size_t total_, done_ = 0;
    bool quiet_, printed_ = false;
    Clock::time_point last_;
};

} // namespace bench
