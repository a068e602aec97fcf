// SPDX-License-Identifier: GPL-2.0
// Dispatch latency as diowqctl measures it (bpf/dispatch_probe.hpp): whether the program is
// attached (WatchState, as `diowqctl watch` shows it) and the cumulative counters of one CPU.
// Plain data: latency/ computes intervals and percentiles from these.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace diowq {

// Log2 buckets of nanoseconds: bucket 0 counts 0 ns, bucket b counts [2^(b-1), 2^b) ns, the last
// one everything from 2^30 ns (about 1.07 s) up (bpf/dispatch_abi.h, DQ_DISPATCH_BUCKETS).
inline constexpr std::size_t latency_buckets = 32;

// A filesystem by its device number (st_dev).
struct DeviceNumber {
    std::uint32_t major = 0;
    std::uint32_t minor = 0;

    auto operator<=>(const DeviceNumber&) const = default;
};

// What `diowqctl watch` shows: the program attached (pinned), measuring every filesystem.
struct WatchState {
    bool probes = false; // the tracepoint probes are registered
    bool all = false;    // every iomap filesystem is watched
    std::vector<DeviceNumber> watched;
    std::uint64_t probe_ns = 0;   // time spent in the probes since they were registered
    std::uint64_t probe_hits = 0; // dio completion events probed
    std::uint64_t unmatched = 0;  // executions whose queueing was not seen
    // Every dio write completion, queued or not; unknown where the program cannot count them.
    std::optional<std::uint64_t> completed;
    std::uint64_t missed = 0; // events the kernel skipped the program for (DispatchProbe::missed)
    std::uint32_t hist_buckets = latency_buckets;

    // Something is watched (the probes should then be on).
    bool any() const { return all || !watched.empty(); }
    bool watches(DeviceNumber dev) const;
    bool operator==(const WatchState&) const = default;
};

inline bool WatchState::watches(DeviceNumber dev) const {
    for (const auto& watched_dev : watched) {
        if (watched_dev == dev) {
            return true;
        }
    }
    return false;
}

using LatencyBuckets = std::array<std::uint64_t, latency_buckets>;

// One CPU's counters, cumulative since the program was attached.
struct CpuLatencyCounters {
    std::uint32_t cpu = 0;
    bool online = true;
    std::uint64_t completions = 0;
    std::uint64_t sum_ns = 0;
    std::uint64_t max_ns = 0; // since registration, or since the last read with CLEAR_MAX
    LatencyBuckets hist{};
    // The last measured completion on this CPU, once there was one.
    std::optional<DeviceNumber> dev;
    std::optional<std::uint32_t> worker_pid;
    std::optional<std::int32_t> worker_nice;
    std::optional<std::string> queue; // the workqueue that ran it ("dio/vdb", "diowq-vdb")

    bool operator==(const CpuLatencyCounters&) const = default;
};

} // namespace diowq
