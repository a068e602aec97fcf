// SPDX-License-Identifier: GPL-2.0
// `diowqctl diagnose`'s judgement, as pure functions of what was measured: which CPUs' dio
// completions are starved (p99 dispatch delay above a threshold), and the verdict line.
//
// A CPU is starved when it ran completions in the window and their estimated p99 exceeds the
// threshold (default 1 ms: an unloaded CPU dispatches in microseconds; a nice-0 kworker that a
// busy high-weight group keeps waiting waits whole scheduler slices, milliseconds). The estimate
// is within a factor of 2 (histogram.hpp), so a p99 just above the threshold may be just below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "latency/from_dispatch.hpp"
#include "latency/interval.hpp"
#include "model/latency.hpp"

namespace diowq::latency {

inline constexpr std::uint64_t default_threshold_ns = 1'000'000;

// The process that used a starved CPU most during the window, and the weight it competes with
// (system/cgroup_weight.hpp: the cpu.weight of its top-level group).
struct Contender {
    int pid = 0;
    std::string comm;
    std::optional<std::string> cgroup;          // its group, "/kubepods/pod1"; nullopt: unknown
    std::optional<std::string> weighted_cgroup; // the top-level group, "/kubepods"
    std::optional<std::uint32_t> cpu_weight;    // that group's cpu.weight
    double cpu_share = 0;                       // of the window on that CPU, 0..1

    bool operator==(const Contender&) const = default;
};

struct CpuReport {
    CpuSummary summary;
    LatencyBuckets hist{};
    std::optional<std::string> queue;
    std::optional<std::uint32_t> worker_pid;
    std::optional<std::int32_t> worker_nice;
    std::optional<DeviceNumber> dev; // of its last measured completion
    bool starved = false;
    std::optional<Contender> contender; // looked up for starved CPUs only

    bool operator==(const CpuReport&) const = default;
};

// not_affected: completions happened, but none through a queue (7.x completes pure overwrites
// inline in the bio's end_io): nothing here can be starved, and tuning changes nothing.
enum class Verdict { ok, idle, starved, not_affected };

std::string verdict_name(Verdict verdict);

struct Diagnosis {
    Verdict verdict = Verdict::idle;
    unsigned seconds = 0; // as asked
    std::vector<CpuReport> cpus;
    std::vector<QueuedShare> filesystems; // how each one's completions ran
    std::string message;                  // the verdict line, starting with the verdict's name
};

// A report per CPU of the window (`seconds` long as measured), with starved set.
std::vector<CpuReport> assess(const std::vector<CpuInterval>& window, double seconds,
                              std::uint64_t threshold_ns);

// The devices of the starved CPUs' last completions, without repeats, worst CPU first.
std::vector<DeviceNumber> starved_devices(const std::vector<CpuReport>& cpus);

// The verdict and its line. `tune_paths`: the mount points to tune (the PATH given, or where the
// starved devices are mounted); empty: unknown.
Diagnosis conclude(std::vector<CpuReport> cpus, std::vector<QueuedShare> filesystems,
                   unsigned seconds, std::uint64_t threshold_ns,
                   const std::vector<std::string>& tune_paths);

} // namespace diowq::latency
