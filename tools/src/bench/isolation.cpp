// SPDX-License-Identifier: GPL-2.0
#include "bench/isolation.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "bench/targets.hpp"

namespace diowq::bench {

namespace {

// The kernel's bounds for cpu.max (kernel/sched/core.c: max_cfs_quota_period,
// min_cfs_quota_period).
constexpr std::uint64_t min_period_us = 1'000;
constexpr std::uint64_t max_period_us = 1'000'000;
constexpr std::uint64_t min_quota_us = 1'000;
constexpr std::uint64_t percent_period_us = 100'000;

std::optional<std::uint64_t> whole_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, err] = std::from_chars(text.data(), end, value);
    if (text.empty() || err != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return value;
}

std::invalid_argument cpu_max_error(std::string_view text, std::string_view why) {
    return std::invalid_argument(fmt::format(
        "'{}' {}: give QUOTA PERIOD in microseconds as cpu.max takes it (\"50000 100000\"), "
        "QUOTA/PERIOD, or a percentage of one CPU (\"50%\", period 100 ms)",
        text, why));
}

} // namespace

std::string CpuMax::text() const {
    return fmt::format("{} {}", quota_us, period_us);
}

CpuMax parse_cpu_max(std::string_view text) {
    CpuMax cap;
    if (text.ends_with('%')) {
        const auto percent = whole_number(text.substr(0, text.size() - 1));
        if (!percent || *percent == 0) {
            throw cpu_max_error(text, "is not a whole percentage above 0");
        }
        cap.period_us = percent_period_us;
        cap.quota_us = *percent * percent_period_us / 100;
    } else {
        const std::size_t split = text.find_first_of(" /");
        if (split == std::string_view::npos) {
            throw cpu_max_error(text, "has no period");
        }
        const auto quota = whole_number(text.substr(0, split));
        const auto period = whole_number(text.substr(split + 1));
        if (!quota || !period) {
            throw cpu_max_error(text, "is not two whole numbers");
        }
        cap.quota_us = *quota;
        cap.period_us = *period;
    }
    if (cap.period_us < min_period_us || cap.period_us > max_period_us) {
        throw cpu_max_error(text, "has a period outside the kernel's 1000..1000000 us");
    }
    if (cap.quota_us < min_quota_us) {
        throw cpu_max_error(text, "has a quota below the kernel's 1000 us");
    }
    return cap;
}

double neighbour_fair_share(unsigned weight_a, unsigned weight_b,
                            const std::optional<CpuMax>& cap_a) {
    if (weight_a + weight_b == 0) {
        return 0;
    }
    const double by_weight = double(weight_b) / double(weight_a + weight_b);
    // One CPU is shared: a cap on A below its weighted part leaves the rest to B.
    if (cap_a && cap_a->cpus() < 1.0 - by_weight) {
        return 1.0 - cap_a->cpus();
    }
    return by_weight;
}

CpuStat parse_cpu_stat(std::string_view text) {
    CpuStat stat;
    bool usage = false;
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('\n'), text.size());
        const std::string_view line = text.substr(0, end);
        text.remove_prefix(std::min(end + 1, text.size()));
        const std::size_t space = line.find(' ');
        if (space == std::string_view::npos) {
            continue;
        }
        const std::string_view key = line.substr(0, space);
        std::uint64_t* field = key == "usage_usec"       ? &stat.usage_us
                               : key == "throttled_usec" ? &stat.throttled_us
                               : key == "nr_throttled"   ? &stat.nr_throttled
                                                         : nullptr;
        if (field == nullptr) {
            continue;
        }
        const auto value = whole_number(line.substr(space + 1));
        if (!value) {
            throw std::invalid_argument(fmt::format("cpu.stat: malformed line '{}'", line));
        }
        *field = *value;
        usage = usage || field == &stat.usage_us;
    }
    if (!usage) {
        throw std::invalid_argument("cpu.stat has no usage_usec line");
    }
    return stat;
}

std::optional<double> IsolationSample::kworker_cpus() const {
    if (!kworker_cpu_s || wall_s <= 0) {
        return std::nullopt;
    }
    return *kworker_cpu_s / wall_s;
}

std::optional<double> IsolationSummary::total_vs_cap() const {
    if (!cap_cpus || *cap_cpus <= 0) {
        return std::nullopt;
    }
    return load_total_cpus.median / *cap_cpus;
}

std::optional<IsolationSummary> summarize_isolation(const std::vector<const RunRecord*>& runs) {
    std::vector<double> neighbour;
    std::vector<double> pod_a;
    std::vector<double> kworkers;
    std::vector<double> total;
    std::vector<double> throttled;
    std::vector<double> per_cpu;
    IsolationSummary summary;
    for (const RunRecord* run : runs) {
        if (run == nullptr || !run->isolation) {
            continue;
        }
        const IsolationSample& s = *run->isolation;
        neighbour.push_back(s.neighbour_share());
        pod_a.push_back(s.pod_a_cpus());
        if (const auto k = s.kworker_cpus()) {
            kworkers.push_back(*k);
        }
        total.push_back(s.load_total_cpus());
        throttled.push_back(s.wall_s > 0 ? s.throttled_s / s.wall_s : 0);
        if (s.load_total_cpus() > 0) {
            per_cpu.push_back(run->engine.iops() / s.load_total_cpus());
        }
        summary.fair_share = s.fair_share;
        summary.cap_cpus = s.cap_cpus;
    }
    if (neighbour.empty()) {
        return std::nullopt;
    }
    summary.neighbour_share = spread_of(neighbour);
    summary.pod_a_cpus = spread_of(pod_a);
    summary.kworker_cpus = kworkers.empty() ? Spread{} : spread_of(kworkers);
    summary.load_total_cpus = spread_of(total);
    summary.throttled_share = spread_of(throttled);
    summary.iops_per_cpu_median = per_cpu.empty() ? 0 : median(per_cpu);
    return summary;
}

std::vector<Target> isolation_targets(const std::vector<ConfigurationSummary>& summaries) {
    std::vector<Target> targets;
    for (const std::string_view family : {"pods", "capped"}) {
        const auto* cgroup = find_summary(summaries, fmt::format("{}_cgroup", family));
        if (cgroup == nullptr || !cgroup->isolation) {
            continue;
        }
        const auto& iso = *cgroup->isolation;
        if (const auto* highpri = find_summary(summaries, fmt::format("{}_highpri", family));
            highpri != nullptr && highpri->iops.median > 0) {
            const double ratio = cgroup->iops.median / highpri->iops.median;
            targets.push_back({fmt::format("{}_cgroup_vs_highpri", family),
                               fmt::format("{0}_cgroup IOPS >= 0.90x {0}_highpri", family), ratio,
                               ratio >= 0.90});
            if (highpri->isolation && highpri->isolation->iops_per_cpu_median > 0) {
                const double per_cpu =
                    iso.iops_per_cpu_median / highpri->isolation->iops_per_cpu_median;
                targets.push_back(
                    {fmt::format("{}_cgroup_vs_highpri_per_cpu", family),
                     fmt::format("{0}_cgroup IOPS per CPU spent >= 0.90x {0}_highpri", family),
                     per_cpu, per_cpu >= 0.90});
            }
        }
        targets.push_back({fmt::format("{}_cgroup_neighbour_share", family),
                           fmt::format("{}_cgroup: pod B >= 0.95x its fair share", family),
                           iso.neighbour_vs_fair(), iso.neighbour_vs_fair() >= 0.95});
        if (const auto vs_cap = iso.total_vs_cap()) {
            targets.push_back({fmt::format("{}_cgroup_within_cpu_max", family),
                               fmt::format("{}_cgroup: pod A's CPU with its completions <= "
                                           "1.02x its cpu.max",
                                           family),
                               *vs_cap, *vs_cap <= 1.02});
        }
    }
    return targets;
}

} // namespace diowq::bench
