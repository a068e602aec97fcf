// SPDX-License-Identifier: GPL-2.0
// The isolation bench (issue #16): the I/O load in pod A and a CPU-bound neighbour in pod B, both
// pinned to the same CPU, with equal cpu.weight, optionally a cpu.max on pod A. What a run
// measures besides the load's IOPS: the CPU each pod got (their cpu.stat) and the CPU the
// kworkers spent (completions run there in every mode but cgroup, outside both pods), and how the
// issue's goals are judged from the medians. Pure logic; bench/pods.hpp does the system side.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/stats.hpp"

namespace diowq::bench {

struct ConfigurationSummary;
struct Target;
struct RunRecord;

// A cgroup v2 cpu.max: quota_us of CPU time every period_us.
struct CpuMax {
    std::uint64_t quota_us = 50'000;
    std::uint64_t period_us = 100'000;

    // The text cpu.max takes: "50000 100000".
    std::string text() const;
    // CPUs' worth: 0.5 for "50000 100000".
    double cpus() const { return double(quota_us) / double(period_us); }

    bool operator==(const CpuMax&) const = default;
};

// "50000 100000", "50000/100000" or "50%" (of one CPU, period 100 ms). The kernel's bounds: a
// period of 1 ms to 1 s, a quota of at least 1 ms. Throws std::invalid_argument saying what it
// accepts.
CpuMax parse_cpu_max(std::string_view text);

struct IsolationOptions {
    CpuMax cpu_max;                // the capped_ configurations' limit on pod A
    unsigned neighbour_weight = 0; // pod B's cpu.weight; 0: the same as pod A's
    // Mode cgroup's leaf's cpu.weight; nullopt: the module's default (DIOWQ_CG_WEIGHT, 100).
    std::optional<std::uint32_t> leaf_weight;
    bool operator==(const IsolationOptions&) const = default;
};

// The share of the load's CPU pod B is entitled to: its weight's part of the two pods', or, when
// pod A is capped below that, what the cap leaves (A cannot take more).
double neighbour_fair_share(unsigned weight_a, unsigned weight_b,
                            const std::optional<CpuMax>& cap_a);

// The counters of a cgroup's cpu.stat this bench reads (microseconds, as the file has them).
struct CpuStat {
    std::uint64_t usage_us = 0;
    std::uint64_t throttled_us = 0; // only with a cpu.max; 0 when the file has no such line
    std::uint64_t nr_throttled = 0;
};
// Throws std::invalid_argument when usage_usec is missing or malformed.
CpuStat parse_cpu_stat(std::string_view text);

// What one run measured about the pods, over the engine's measured window.
struct IsolationSample {
    double wall_s = 0;
    double pod_a_cpu_s = 0; // pod A's cpu.stat usage (with mode cgroup: the leaf's too)
    double pod_b_cpu_s = 0; // the neighbour's
    double throttled_s = 0; // pod A's throttled time (capped_)
    std::uint64_t nr_throttled = 0;
    std::optional<double> kworker_cpu_s; // every kworker's CPU time (nullopt: unreadable)
    double fair_share = 0;               // neighbour_fair_share() of the setup
    std::optional<double> cap_cpus;      // pod A's cpu.max in CPUs, capped_ only

    // CPUs' worth over the window.
    double pod_a_cpus() const { return wall_s > 0 ? pod_a_cpu_s / wall_s : 0; }
    double neighbour_share() const { return wall_s > 0 ? pod_b_cpu_s / wall_s : 0; }
    std::optional<double> kworker_cpus() const;
    // Pod A's own plus the kworkers' (which then run nothing but A's completions, give or take
    // the machine's housekeeping): the CPU A's I/O cost, wherever it was charged.
    double load_total_cpus() const { return pod_a_cpus() + kworker_cpus().value_or(0); }
};

struct IsolationSummary {
    Spread neighbour_share; // pod B's CPU / wall time
    Spread pod_a_cpus;      // pod A's cgroup
    Spread kworker_cpus;    // count 0: not measured
    Spread load_total_cpus; // pod A + kworkers
    Spread throttled_share; // pod A's throttled time / wall time
    double fair_share = 0;
    std::optional<double> cap_cpus;
    // Medians over the runs' IOPS per CPU of load_total_cpus: the load's efficiency.
    double iops_per_cpu_median = 0;

    double neighbour_vs_fair() const {
        return fair_share > 0 ? neighbour_share.median / fair_share : 0;
    }
    std::optional<double> total_vs_cap() const;
};

// The runs' samples (those that have one) summarized; nullopt when none has.
std::optional<IsolationSummary> summarize_isolation(const std::vector<const RunRecord*>& runs);

// The goals, for the pods_ and capped_ pairs that ran: cgroup's IOPS >= 0.90x highpri's,
// also per CPU spent; the neighbour >= 0.95x its fair share with cgroup; capped_cgroup's total
// CPU within pod A's cpu.max (2 % for the counters' granularity and the machine's own kworker
// time).
std::vector<Target> isolation_targets(const std::vector<ConfigurationSummary>& summaries);

} // namespace diowq::bench
