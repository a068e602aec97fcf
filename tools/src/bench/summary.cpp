// SPDX-License-Identifier: GPL-2.0
#include "bench/summary.hpp"

#include <algorithm>

#include "latency/histogram.hpp"

namespace diowq::bench {

namespace {

std::optional<double> median_of(const std::vector<std::optional<double>>& values) {
    std::vector<double> present;
    for (const auto& v : values) {
        if (v) {
            present.push_back(*v);
        }
    }
    if (present.empty()) {
        return std::nullopt;
    }
    return median(present);
}

} // namespace

const ConfigurationSummary* find_summary(const std::vector<ConfigurationSummary>& summaries,
                                         std::string_view name) {
    const auto it = std::find_if(summaries.begin(), summaries.end(),
                                 [&](const auto& s) { return s.name == name; });
    return it == summaries.end() ? nullptr : &*it;
}

bool completions_mostly_inline(const std::vector<ConfigurationSummary>& summaries) {
    constexpr double mostly_inline = 0.1;
    const auto* inside = find_summary(summaries, "inside_off");
    return inside != nullptr && inside->queued_share_median &&
           *inside->queued_share_median < mostly_inline;
}

std::vector<ConfigurationSummary> summarize(const std::vector<Configuration>& configurations,
                                            const std::vector<RunRecord>& records, unsigned cpu) {
    return summarize(configurations, records, std::vector<unsigned>{cpu});
}

std::vector<ConfigurationSummary> summarize(const std::vector<Configuration>& configurations,
                                            const std::vector<RunRecord>& records,
                                            const std::vector<unsigned>& cpus) {
    std::vector<ConfigurationSummary> summaries;
    for (const auto& configuration : configurations) {
        ConfigurationSummary s;
        s.name = std::string(configuration.name);
        std::vector<double> iops;
        std::vector<std::optional<double>> switches;
        std::vector<std::optional<double>> shares;
        std::vector<double> cpu_us;
        std::vector<double> p50;
        std::vector<double> p99;
        std::vector<double> completions;
        std::vector<double> dispatch_p50;
        std::vector<double> dispatch_p99;
        std::vector<double> dispatch_max;
        std::vector<double> load_share;
        std::vector<double> queued_shares;
        std::vector<std::vector<double>> job_iops;
        std::uint64_t probe_ns = 0;
        std::uint64_t probed = 0;
        std::vector<const RunRecord*> runs;
        for (const auto& r : records) {
            if (r.configuration != s.name) {
                continue;
            }
            runs.push_back(&r);
            if (r.check && !r.check->ok) {
                ++s.completion_check_failures;
            }
            if (r.check && r.check->engine_writes > 0) {
                queued_shares.push_back(r.check->queued_share);
            }
            if (const auto& d = r.dispatch) {
                const std::uint64_t n = d->completions();
                ++s.dispatch_runs;
                completions.push_back(double(n));
                latency::operator+=(s.dispatch_hist, d->hist());
                probe_ns += d->probe_ns;
                probed += n;
                if (const auto v = d->percentile_ns(50)) {
                    dispatch_p50.push_back(double(*v));
                }
                if (const auto v = d->percentile_ns(99)) {
                    dispatch_p99.push_back(double(*v));
                }
                if (const auto v = d->max_ns()) {
                    dispatch_max.push_back(double(*v));
                    s.dispatch_max_ns = std::max(s.dispatch_max_ns.value_or(0), *v);
                }
                if (n > 0) {
                    std::uint64_t on_load = 0;
                    for (const unsigned cpu : cpus) {
                        on_load += d->completions_on(cpu);
                    }
                    load_share.push_back(double(on_load) / double(n));
                }
            }
            iops.push_back(r.engine.iops());
            if (job_iops.size() < r.jobs.size()) {
                job_iops.resize(r.jobs.size());
            }
            for (std::size_t job = 0; job < r.jobs.size(); ++job) {
                job_iops[job].push_back(r.jobs[job].iops());
            }
            switches.push_back(r.switches_per_io());
            shares.push_back(r.interrupt_share(cpus));
            cpu_us.push_back(r.cpu_us_per_io());
            if (const auto latency = r.engine.latency_summary()) {
                p50.push_back(double(latency->p50));
                p99.push_back(double(latency->p99));
            }
        }
        s.repeats = iops.size();
        s.iops = spread_of(iops);
        for (const auto& job : job_iops) {
            s.job_iops_median.push_back(median(job));
        }
        s.switches_per_io_median = median_of(switches);
        s.interrupt_share_median = median_of(shares);
        s.cpu_us_per_io_median = median(cpu_us);
        s.latency_p50_ns_median = median(p50);
        s.latency_p99_ns_median = median(p99);
        const auto median_if = [](const std::vector<double>& values) -> std::optional<double> {
            return values.empty() ? std::nullopt : std::optional(median(values));
        };
        s.completions_median = median_if(completions);
        s.dispatch_p50_ns_median = median_if(dispatch_p50);
        s.dispatch_p99_ns_median = median_if(dispatch_p99);
        s.dispatch_max_ns_median = median_if(dispatch_max);
        s.dispatch_load_cpu_share_median = median_if(load_share);
        s.queued_share_median = median_if(queued_shares);
        if (probed > 0) {
            s.probe_ns_per_completion = double(probe_ns) / double(probed);
        }
        s.isolation = summarize_isolation(runs);
        summaries.push_back(std::move(s));
    }
    const ConfigurationSummary* base = find_summary(summaries, baseline_name);
    if (base == nullptr || base->repeats == 0 || !(base->iops.median > 0)) {
        return summaries;
    }
    const double base_iops = base->iops.median;
    const auto base_switches = base->switches_per_io_median;
    for (auto& s : summaries) {
        if (s.repeats == 0) {
            continue;
        }
        s.ratio = s.iops.median / base_iops;
        s.worst_ratio = s.iops.min / base_iops;
        if (s.switches_per_io_median && base_switches && *base_switches > 0) {
            s.switches_ratio = *s.switches_per_io_median / *base_switches;
        }
    }
    return summaries;
}

} // namespace diowq::bench
