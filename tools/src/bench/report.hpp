// SPDX-License-Identifier: GPL-2.0
// What a bench found: per configuration the medians of its repeats and their ratios to the
// outside_off baseline, the project's targets, a one-line verdict; as an aligned table for people
// and as one JSON document with every sample for scripts and plots.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/runner.hpp"
#include "bench/stats.hpp"
#include "output/json.hpp"

namespace diowq::bench {

struct ConfigurationSummary {
    std::string name;
    std::size_t repeats = 0;
    Spread iops; // of the runs' mean IOPS
    std::optional<double> switches_per_io_median;
    double cpu_us_per_io_median = 0;
    double latency_p50_ns_median = 0;
    double latency_p99_ns_median = 0;
    std::optional<double> interrupt_share_median; // of the load's CPU
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
};

std::vector<ConfigurationSummary> summarize(const std::vector<Configuration>& configurations,
                                            const std::vector<RunRecord>& records, unsigned cpu);

struct Target {
    std::string name;  // stable, for scripts: "highpri_vs_outside"
    std::string claim; // for people: "inside_on >= 1.00x outside_off"
    double value = 0;
    bool met = false;
};

// The targets of the project that the configurations run can judge (see docs/benchmarks.md).
std::vector<Target> evaluate_targets(const std::vector<ConfigurationSummary>& summaries);

// "starvation: inside/off is 0.41x of outside; with diowq 0.99x (highpri), 1.07x (unbound)";
// empty without outside_off and inside_off.
std::string verdict(const std::vector<ConfigurationSummary>& summaries);

std::string report_text(const BenchSetup& setup, const std::vector<RunRecord>& records,
                        const std::vector<ConfigurationSummary>& summaries,
                        const std::vector<Target>& targets);

json::Value report_json(const BenchSetup& setup, const std::vector<RunRecord>& records,
                        const std::vector<ConfigurationSummary>& summaries,
                        const std::vector<Target>& targets, bool interrupted);

// One line per finished run, as the progress display prints it.
std::string run_line(const RunRecord& record, std::size_t total_runs);

} // namespace diowq::bench
