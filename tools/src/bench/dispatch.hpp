// SPDX-License-Identifier: GPL-2.0
// Dispatch latency as the bench records it: a thin adapter over diowqctl's BPF program
// (bpf/dispatch_probe.hpp) and latency/, attached once, before the first run, and read at both
// ends of each measured window.
//
// Why once: attaching is live kernel text patching, which crashed multi-threaded TCG guests when
// it happened under load (see docs/benchmarks.md). The program measures every filesystem, tuned
// or not, so it stays attached, untouched, until the bench ends.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpf/dispatch_probe.hpp"
#include "latency/interval.hpp"
#include "model/latency.hpp"

namespace diowq::bench {

// What happened between two readings: per CPU (latency::difference) and the program's cost.
struct DispatchWindow {
    double seconds = 0;
    std::vector<latency::CpuInterval> cpus;
    std::uint64_t probe_ns = 0;   // time spent in the program (the kernel's BPF statistics)
    std::uint64_t probe_hits = 0; // runs of the program (every queue_work and worker start)
    std::uint64_t unmatched = 0;  // executions whose queueing was not seen: not measured
    std::vector<bpf::ProgramCost> programs; // each part's share of probe_ns and probe_hits
    bool restarted = false;                 // the counters restarted
    bool watch_lost = false;                // the program was not attached any more at the end
    // Of all dio write completions (queued or inline), those that went through a queue;
    // nullopt when not every completion could be counted or there was none.
    std::optional<double> queued_share;

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
    // The program's time per measured completion (every run, on every queue_work).
    std::optional<double> probe_ns_per_completion() const;
};

// One reading of the program: its counters per CPU, and its state and cost as a WatchState.
struct DispatchMark {
    latency::Snapshot snapshot;
    WatchState watch;
    std::uint64_t queued = 0;    // dio write completions that ran from a queue, all CPUs
    std::uint64_t completed = 0; // every dio write completion, when all_counted
    bool all_counted = false;
    std::vector<bpf::ProgramCost> programs; // cumulative, as watch.probe_ns is
};

DispatchWindow dispatch_window(const DispatchMark& begin, const DispatchMark& end);

// "259:0".
std::string device_text(DeviceNumber dev);

// The program the bench holds. Never throws: without BTF or privileges, or when the kernel
// refuses, it is unavailable and why() says why.
class DispatchWatch {
public:
    using Warn = std::function<void(const std::string&)>;

    explicit DispatchWatch(Warn warn);
    DispatchWatch(const DispatchWatch&) = delete;
    DispatchWatch& operator=(const DispatchWatch&) = delete;
    ~DispatchWatch(); // detaches the program

    bool available() const { return probe_ != nullptr; }
    const std::string& why() const { return why_; }

    // Detaches the program (its counters stay) and attaches it again, for a run that measures
    // what it costs: between runs only, as attaching patches kernel text. Throws Failure.
    void detach();
    void attach();

    // Reads the counters; `clear_max` restarts each CPU's maximum after reading it, so that the
    // next reading's maximum is the window's. nullopt (after a warning) when the reading fails.
    std::optional<DispatchMark> mark(bool clear_max);

private:
    Warn warn_;
    std::unique_ptr<bpf::DispatchProbe> probe_;
    std::vector<unsigned> cpus_;
    std::string why_;
};

} // namespace diowq::bench
