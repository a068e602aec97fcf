// SPDX-License-Identifier: GPL-2.0
// The statistics of a bench across its repeats: per configuration the medians of its runs and
// their ratios to the outside_off baseline, which the targets, the verdict, the table, the JSON
// and the charts all read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/runner.hpp"
#include "bench/stats.hpp"

namespace diowq::bench {

struct ConfigurationSummary {
    std::string name;
    std::size_t repeats = 0;
    Spread iops; // of the runs' mean IOPS, all jobs together
    // --jobs: each job's median IOPS, job 0 first (the runs that have that job).
    std::vector<double> job_iops_median;
    std::optional<double> switches_per_io_median;
    double cpu_us_per_io_median = 0;
    double latency_p50_ns_median = 0;
    double latency_p99_ns_median = 0;
    std::optional<double> interrupt_share_median; // of the load's CPUs
    // To the baseline's medians; nullopt without a baseline.
    std::optional<double> ratio;
    std::optional<double> switches_ratio;
    std::optional<double> worst_ratio; // the lowest run against the baseline's median
    // The module's dispatch latency (queued -> running) of the dio write completions, all CPUs
    // summed: medians of the runs that have it (nullopt when none has).
    std::size_t dispatch_runs = 0;
    std::optional<double> completions_median; // the module's measured completions per run
    std::optional<double> dispatch_p50_ns_median;
    std::optional<double> dispatch_p99_ns_median;
    std::optional<double> dispatch_max_ns_median;
    std::optional<std::uint64_t> dispatch_max_ns;         // the largest of all runs
    std::optional<double> dispatch_load_cpu_share_median; // completions run on the load's CPU
    std::optional<double> probe_ns_per_completion;        // all runs' probe time / completions
    LatencyBuckets dispatch_hist{};                       // all runs, all CPUs
    std::size_t completion_check_failures = 0;            // runs whose counts disagree
    // Of the engine's writes, the median share whose completion the program saw run from a
    // queue: ~1 where every completion is queued, ~0 where the kernel completes them inline.
    std::optional<double> queued_share_median;
    // --isolation: the pods' CPU over the runs.
    std::optional<IsolationSummary> isolation;
};

// `cpus`: the jobs' CPUs (the load's CPU when one job).
std::vector<ConfigurationSummary> summarize(const std::vector<Configuration>& configurations,
                                            const std::vector<RunRecord>& records,
                                            const std::vector<unsigned>& cpus);
std::vector<ConfigurationSummary> summarize(const std::vector<Configuration>& configurations,
                                            const std::vector<RunRecord>& records, unsigned cpu);

// The summary of the configuration `name`, or nullptr when it did not run.
const ConfigurationSummary* find_summary(const std::vector<ConfigurationSummary>& summaries,
                                         std::string_view name);

// Did this kernel complete (almost) every write of this pattern without a queue? Below a 10 %
// share of inside_off's completions queued, no queue has enough work to starve (7.x completes
// pure overwrites inline, in the bio's end_io): there is nothing for diowq to cure. False when
// the share is unknown (no BPF program, or no inside_off).
bool completions_mostly_inline(const std::vector<ConfigurationSummary>& summaries);

} // namespace diowq::bench
