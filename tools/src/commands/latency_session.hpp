// SPDX-License-Identifier: GPL-2.0
// What watch, top and diagnose share: the dispatch-latency BPF program (bpf/dispatch_probe.hpp),
// the one `diowqctl watch` left attached or one attached for as long as the command runs, read as
// per-CPU snapshots; the filesystems diowq tunes, when its module is loaded; the name of the queue
// that runs a CPU's completions.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "bpf/dispatch_probe.hpp"
#include "commands/output_sink.hpp"
#include "latency/from_dispatch.hpp"
#include "latency/interval.hpp"
#include "model/latency.hpp"
#include "model/model.hpp"

namespace diowq::commands {

class LatencySource {
public:
    // The pinned program, else one loaded and attached now; throws Failure (BTF, privileges).
    LatencySource();

    // Attached by this command (not by `diowqctl watch`): detached when it ends.
    bool attached_here() const { return attached_here_; }
    const bpf::DispatchCoverage& coverage() const { return probe_.coverage(); }
    // Says on `err` what this kernel keeps the program from seeing, if anything.
    void report_gaps(std::ostream& err) const;

    // A snapshot of the filesystem `only` (nullopt: of all of them). Each read takes the window's
    // maxima, so a window's maximum is exact.
    latency::Snapshot read(const std::optional<DeviceNumber>& only);
    // Per filesystem, how its completions ran between the first and the latest read.
    std::vector<latency::QueuedShare> shares() const;

private:
    bool attached_here_ = false; // before probe_: its initializer sets it
    bpf::DispatchProbe probe_;
    std::vector<unsigned> cpus_;
    std::optional<std::vector<bpf::DispatchCounters>> first_;
    std::vector<bpf::DispatchCounters> latest_;
};

// The filesystems diowq tunes; empty when its module is not loaded (looking the family up would
// load an installed module, which measuring must not do).
std::vector<SuperblockStatus> tuned_superblocks(const OutputSink& sink);

// The queue running a CPU's completions: the one the program saw, else told by the worker
// (latency::completion_queue, from /proc and /sys).
std::optional<std::string> queue_of(const latency::CpuInterval& interval,
                                    const std::vector<SuperblockStatus>& tuned);

} // namespace diowq::commands
