// SPDX-License-Identifier: GPL-2.0
// The BPF program's counters (per filesystem and CPU, bpf/dispatch_probe.hpp) as the per-CPU
// snapshots that latency/interval.hpp takes apart, and the share of each filesystem's dio write
// completions that went through a queue at all.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bpf/dispatch_probe.hpp"
#include "latency/interval.hpp"
#include "model/latency.hpp"

namespace diowq::latency {

// Per CPU of `cpus` (every possible CPU, online or not: `online`), the counters of the
// filesystem `only` (nullopt: of all of them summed). A CPU's last completion (device, worker,
// queue) is that of its filesystem with the most queued completions. `max_cleared`: the counters'
// maxima are the window's (DispatchProbe::read(true)).
Snapshot snapshot_of(const std::vector<bpf::DispatchCounters>& counters,
                     const std::optional<DeviceNumber>& only, const std::vector<unsigned>& cpus,
                     const std::vector<unsigned>& online, bool max_cleared);

// How a filesystem's dio write completions ran: from a queue, or without one (inline in the bio's
// end_io, as 7.x completes pure overwrites, or in the submitting task when the I/O ended before
// the submission returned). `completed` is known only where every completion was counted.
struct QueuedShare {
    DeviceNumber dev;
    std::uint64_t queued = 0;
    std::optional<std::uint64_t> completed;

    // queued / completed, nullopt when unknown or nothing completed.
    std::optional<double> share() const;
    bool operator==(const QueuedShare&) const = default;
};

// Between two readings, per filesystem with a completion, in device order. `all_counted`: the
// probe counted every completion (DispatchCoverage::all_completions).
std::vector<QueuedShare> queued_shares(const std::vector<bpf::DispatchCounters>& earlier,
                                       const std::vector<bpf::DispatchCounters>& later,
                                       bool all_counted);

} // namespace diowq::latency
