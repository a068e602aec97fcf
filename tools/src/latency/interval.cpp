// SPDX-License-Identifier: GPL-2.0
#include "latency/interval.hpp"

#include <algorithm>

#include "latency/histogram.hpp"

namespace diowq::latency {

namespace {

bool went_down(const CpuLatencyCounters& earlier, const CpuLatencyCounters& later) {
    if (later.completions < earlier.completions || later.sum_ns < earlier.sum_ns) {
        return true;
    }
    for (std::size_t b = 0; b < later.hist.size(); ++b) {
        if (later.hist[b] < earlier.hist[b]) {
            return true;
        }
    }
    return false;
}

void take_last_completion(CpuInterval& interval, const CpuLatencyCounters& counters) {
    interval.cpu = counters.cpu;
    interval.online = counters.online;
    interval.dev = counters.dev;
    interval.worker_pid = counters.worker_pid;
    interval.worker_nice = counters.worker_nice;
    interval.queue = counters.queue;
}

} // namespace

CpuInterval since_registration(const CpuLatencyCounters& counters) {
    CpuInterval interval;
    take_last_completion(interval, counters);
    interval.completions = counters.completions;
    interval.sum_ns = counters.sum_ns;
    interval.hist = counters.hist;
    if (counters.completions > 0) {
        interval.max_ns = counters.max_ns;
        interval.max_exact = true;
    }
    return interval;
}

CpuInterval difference(const CpuLatencyCounters& earlier, const CpuLatencyCounters& later,
                       bool max_cleared) {
    if (went_down(earlier, later)) {
        CpuInterval interval = since_registration(later);
        interval.restarted = true;
        return interval;
    }
    CpuInterval interval;
    take_last_completion(interval, later);
    interval.completions = later.completions - earlier.completions;
    interval.sum_ns = later.sum_ns - earlier.sum_ns;
    for (std::size_t b = 0; b < later.hist.size(); ++b) {
        interval.hist[b] = later.hist[b] - earlier.hist[b];
    }
    if (interval.completions == 0) {
        return interval;
    }
    if (max_cleared || later.max_ns > earlier.max_ns) {
        interval.max_ns = later.max_ns;
        interval.max_exact = true;
        return interval;
    }
    // The maximum is an older one: bound the window's by its highest bucket.
    std::uint64_t bound = later.max_ns;
    if (const auto top = highest_bucket(interval.hist)) {
        if (const auto high = bucket_high(*top)) {
            bound = std::min(bound, *high - 1);
        }
    }
    interval.max_ns = bound;
    return interval;
}

std::vector<CpuInterval> difference(const Snapshot& earlier, const Snapshot& later) {
    std::vector<CpuInterval> intervals;
    intervals.reserve(later.cpus.size());
    for (const auto& counters : later.cpus) {
        const auto before =
            std::find_if(earlier.cpus.begin(), earlier.cpus.end(),
                         [&](const CpuLatencyCounters& c) { return c.cpu == counters.cpu; });
        if (before == earlier.cpus.end()) {
            CpuLatencyCounters zero;
            zero.cpu = counters.cpu;
            intervals.push_back(difference(zero, counters, true));
        } else {
            intervals.push_back(difference(*before, counters, earlier.max_cleared));
        }
    }
    return intervals;
}

double seconds_between(const Snapshot& earlier, const Snapshot& later) {
    return std::chrono::duration<double>(later.taken - earlier.taken).count();
}

CpuSummary summarize(const CpuInterval& interval, double seconds) {
    CpuSummary summary;
    summary.cpu = interval.cpu;
    summary.completions = interval.completions;
    summary.per_second = seconds > 0 ? static_cast<double>(interval.completions) / seconds : 0.0;
    if (interval.completions == 0) {
        return summary;
    }
    summary.p50_ns = percentile(interval.hist, 50, interval.max_ns);
    summary.p99_ns = percentile(interval.hist, 99, interval.max_ns);
    summary.max_ns = interval.max_ns;
    summary.mean_ns = interval.sum_ns / interval.completions;
    return summary;
}

} // namespace diowq::latency
