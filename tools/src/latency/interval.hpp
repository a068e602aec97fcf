// SPDX-License-Identifier: GPL-2.0
// The module's counters are cumulative since its probes were registered; what happened during a
// window is the difference of two snapshots taken at its ends. This file takes the snapshots
// apart: per CPU counts, histogram and maximum of the window, and their summary (rate, p50, p99,
// max, mean) for display.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/latency.hpp"

namespace diowq::latency {

// One GET_LATENCY dump and when it was read.
struct Snapshot {
    std::chrono::steady_clock::time_point taken{};
    std::vector<CpuLatencyCounters> cpus;
    // The read asked for CLEAR_MAX: the maxima read next count from this read on.
    bool max_cleared = false;
};

// What one CPU did between two snapshots.
struct CpuInterval {
    std::uint32_t cpu = 0;
    bool online = true;
    std::uint64_t completions = 0;
    std::uint64_t sum_ns = 0;
    LatencyBuckets hist{};
    // The window's largest delay: exact when max_exact, else an upper bound of it (the previous
    // read did not clear the maximum and the maximum did not grow; the bound is the end of the
    // highest bucket with a count, or the cumulative maximum if lower). nullopt: no completion.
    std::optional<std::uint64_t> max_ns;
    bool max_exact = false;
    // The counters went down: the probes were registered again during the window (everything
    // was unwatched, then something watched), so this counts only since then.
    bool restarted = false;
    // From the later snapshot: the last measured completion on this CPU.
    std::optional<DeviceNumber> dev;
    std::optional<std::uint32_t> worker_pid;
    std::optional<std::int32_t> worker_nice;
    std::optional<std::string> queue;

    bool operator==(const CpuInterval&) const = default;
};

// Per CPU of `later` (a CPU missing from `earlier` counts from 0), in `later`'s order.
std::vector<CpuInterval> difference(const Snapshot& earlier, const Snapshot& later);
// The one CPU's difference; `max_cleared`: the earlier read cleared the maximum.
CpuInterval difference(const CpuLatencyCounters& earlier, const CpuLatencyCounters& later,
                       bool max_cleared);
// Everything counted so far (a snapshot against probes registered at its start).
CpuInterval since_registration(const CpuLatencyCounters& counters);

double seconds_between(const Snapshot& earlier, const Snapshot& later);

// A window of one CPU for eyes and scripts. Percentiles are estimates (histogram.hpp).
struct CpuSummary {
    std::uint32_t cpu = 0;
    std::uint64_t completions = 0;
    double per_second = 0;
    std::optional<std::uint64_t> p50_ns;
    std::optional<std::uint64_t> p99_ns;
    std::optional<std::uint64_t> max_ns;
    std::optional<std::uint64_t> mean_ns; // exact: sum / completions

    bool operator==(const CpuSummary&) const = default;
};

CpuSummary summarize(const CpuInterval& interval, double seconds);

} // namespace diowq::latency
