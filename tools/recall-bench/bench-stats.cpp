#include "bench-stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace bench {

void Recorder::success(double seconds)
{
    std::lock_guard<std::mutex> lock(mutex_);
    latencies_.push_back(seconds);
}

void Recorder::failure(const std::string &error)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (errors_++ == 0)
        first_error_ = error;
}

double Recorder::timed_seconds() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    double total = 0;
    for (double latency : latencies_)
        total += latency;
    return total;
}

double percentile(const std::vector<double> &sorted, double fraction)
{
    if (sorted.empty())
        return 0;
    size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

Summary Recorder::summarize(const std::string &operation, double wall_seconds) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<double> sorted = latencies_;
    std::sort(sorted.begin(), sorted.end());
    Summary s;
    s.operation = operation;
    s.count = sorted.size();
    s.errors = errors_;
    s.first_error = first_error_;
    s.seconds = wall_seconds;
    s.throughput = wall_seconds > 0 ? static_cast<double>(s.count) / wall_seconds : 0;
    if (!sorted.empty()) {
        s.min_ms = sorted.front() * 1000;
        s.max_ms = sorted.back() * 1000;
    }
    s.median_ms = percentile(sorted, 0.5) * 1000;
    s.p95_ms = percentile(sorted, 0.95) * 1000;
    s.p99_ms = percentile(sorted, 0.99) * 1000;
    return s;
}

std::string to_text(const Summary &s)
{
    char line[512];
    std::snprintf(line, sizeof(line),
                  "%s: %zu ok, %zu failed in %.3f s: %.1f/s; latency ms: min %.2f median %.2f "
                  "p95 %.2f p99 %.2f max %.2f",
                  s.operation.c_str(), s.count, s.errors, s.seconds, s.throughput, s.min_ms,
                  s.median_ms, s.p95_ms, s.p99_ms, s.max_ms);
    std::string text = line;
    if (s.errors > 0)
        text += "\n  first error: " + s.first_error;
    return text;
}

std::string json_string(const std::string &text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string to_json(const std::vector<Summary> &summaries)
{
    std::ostringstream out;
    out.precision(6);
    out << "[";
    for (size_t i = 0; i < summaries.size(); i++) {
        const Summary &s = summaries[i];
        out << (i ? ",\n " : "") << "{\"operation\": " << json_string(s.operation)
            << ", \"count\": " << s.count << ", \"errors\": " << s.errors
            << ", \"first_error\": " << json_string(s.first_error) << ", \"seconds\": " << s.seconds
            << ", \"throughput\": " << s.throughput << ", \"latency_ms\": {\"min\": " << s.min_ms
            << ", \"median\": " << s.median_ms << ", \"p95\": " << s.p95_ms
            << ", \"p99\": " << s.p99_ms << ", \"max\": " << s.max_ms << "}}";
    }
    out << "]";
    return out.str();
}

Progress::Progress(std::string operation, size_t total, bool quiet)
    : operation_(std::move(operation)), total_(total), quiet_(quiet), last_(Clock::now())
{
}

Progress::~Progress()
{
    if (printed_)
        std::cerr << "\r" << operation_ << ": " << done_ << "/" << total_ << std::endl;
}

void Progress::advance()
{
    std::lock_guard<std::mutex> lock(mutex_);
    done_++;
    Clock::time_point now = Clock::now();
    if (quiet_ || now - last_ < std::chrono::seconds(1))
        return;
    last_ = now;
    printed_ = true;
    std::cerr << "\r" << operation_ << ": " << done_ << "/" << total_ << std::flush;
}

} // namespace bench
