// SPDX-License-Identifier: GPL-2.0
// The module's dispatch latency (include/uapi/diowq.h, "Dispatch latency") as the bench records
// it: a thin adapter over the netlink client and latency/ that watches every filesystem once,
// before the first run, and reads the counters at both ends of each measured window.
//
// Why "all", once: registering the probes is live kernel text patching, which crashed
// multi-threaded TCG guests when it happened under load (see docs/benchmarks.md); a watch of one
// filesystem would also end at each untune between runs and need registering again. A watch of
// everything survives untunes, so the probes are registered once, early, and stay until the
// bench ends.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "latency/interval.hpp"
#include "model/latency.hpp"
#include "netlink/client.hpp"

namespace diowq::bench {

// What happened between two readings: per CPU (latency::difference) and the probes' cost.
struct DispatchWindow {
    double seconds = 0;
    std::vector<latency::CpuInterval> cpus;
    std::uint64_t probe_ns = 0;   // time spent in the probes (GET_WATCH delta)
    std::uint64_t probe_hits = 0; // dio completion events the probes handled (queue + execute)
    std::uint64_t unmatched = 0;  // watched executions whose queueing was not seen: not measured
    bool restarted = false;       // the counters restarted: someone unwatched everything
    bool watch_lost = false;      // "all" was not watched any more at the end

    // Measured completions, all CPUs.
    std::uint64_t completions() const;
    // Measured completions on `cpu` (0 when it has none or is unknown).
    std::uint64_t completions_on(unsigned cpu) const;
    // The histogram of all CPUs summed.
    LatencyBuckets hist() const;
    // The largest delay of any CPU (an upper bound when one CPU's is only bounded).
    std::optional<std::uint64_t> max_ns() const;
    // Percentile of all CPUs summed (latency::percentile); nullopt without completions.
    std::optional<std::uint64_t> percentile_ns(double p) const;
    // Exact: the sum of delays / completions.
    std::optional<std::uint64_t> mean_ns() const;
    // The probes' time per measured completion (both probes, every dio completion they saw).
    std::optional<double> probe_ns_per_completion() const;
};

// One reading: GET_WATCH and the GET_LATENCY dump.
struct DispatchMark {
    latency::Snapshot snapshot;
    WatchState watch;
};

DispatchWindow dispatch_window(const DispatchMark& begin, const DispatchMark& end);

// "259:0".
std::string device_text(DeviceNumber dev);

// The watch the bench holds. Never throws: without the module, with a module that does not
// measure latency, or when the kernel refuses, it is unavailable and why() says why.
class DispatchWatch {
public:
    using Warn = std::function<void(const std::string&)>;

    explicit DispatchWatch(Warn warn);
    DispatchWatch(const DispatchWatch&) = delete;
    DispatchWatch& operator=(const DispatchWatch&) = delete;
    // Puts the watches back as they were found (see restore()).
    ~DispatchWatch();

    bool available() const { return client_ != nullptr; }
    const std::string& why() const { return why_; }
    // The bench registered the watch of everything (it was not there before).
    bool added() const { return added_; }
    const WatchState& before() const { return before_; }

    // Reads the counters; `clear_max` restarts each CPU's maximum after reading it, so that the
    // next reading's maximum is the window's. nullopt (after a warning) when the reading fails.
    std::optional<DispatchMark> mark(bool clear_max);

    // Ends the watch of everything if the bench added it, and watches again what was watched
    // before and is not any more (an untune ends the watch of its filesystem). UNWATCH ALL also
    // ends watches of single filesystems: those found before are watched again afterwards (their
    // counters restart). Called by the destructor; failures go to `warn`.
    void restore();

private:
    Warn warn_;
    std::unique_ptr<nl::DiowqClient> client_;
    std::string why_;
    WatchState before_;
    bool added_ = false;
    bool restored_ = false;
};

} // namespace diowq::bench
