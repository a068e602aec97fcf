// SPDX-License-Identifier: GPL-2.0
#include "bench/report_isolation.hpp"

#include <cmath>

#include <fmt/format.h>

#include "bench/units.hpp"
#include "output/table.hpp"

namespace diowq::bench {

namespace {

// A CPU's worth as a percentage of one CPU: "48%".
std::string cpu_percent(double cpus) {
    return std::isfinite(cpus) ? fmt::format("{:.0f}%", cpus * 100) : "-";
}

// "48% (45-50)": the median and the runs' range.
std::string cpu_spread(const Spread& s) {
    if (s.count == 0) {
        return "-";
    }
    if (s.count == 1) {
        return cpu_percent(s.median);
    }
    return fmt::format("{} ({:.0f}-{:.0f})", cpu_percent(s.median), s.min * 100, s.max * 100);
}

json::Value rounded(double value, int digits) {
    if (!std::isfinite(value)) {
        return json::Value();
    }
    const double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

json::Value spread_json(const Spread& s) {
    if (s.count == 0) {
        return json::Value();
    }
    return json::Object{{"median", rounded(s.median, 4)},
                        {"min", rounded(s.min, 4)},
                        {"max", rounded(s.max, 4)},
                        {"stdev", rounded(s.stdev, 4)}};
}

// The configuration whose IOPS a pods configuration is compared with: highpri of its family.
const ConfigurationSummary* highpri_of(const std::vector<ConfigurationSummary>& summaries,
                                       const std::string& name) {
    const std::size_t underscore = name.find('_');
    if (underscore == std::string::npos) {
        return nullptr;
    }
    return find_summary(summaries, name.substr(0, underscore) + "_highpri");
}

} // namespace

std::string isolation_table(const BenchSetup& setup,
                            const std::vector<ConfigurationSummary>& summaries) {
    using text::Align;
    text::Table table({{"CONFIGURATION"},
                       {"IOPS", Align::right},
                       {"MIN", Align::right},
                       {"MAX", Align::right},
                       {"VS HIGHPRI", Align::right},
                       {"IOPS/CPU", Align::right},
                       {"B CPU", Align::right},
                       {"B/FAIR", Align::right},
                       {"A CGROUP", Align::right},
                       {"KWORKERS", Align::right},
                       {"A TOTAL", Align::right},
                       {"/CPU.MAX", Align::right},
                       {"THROTTLED", Align::right},
                       {"RUNS", Align::right}});
    bool any = false;
    for (const auto& s : summaries) {
        if (!s.isolation) {
            continue;
        }
        any = true;
        const auto& iso = *s.isolation;
        const auto* highpri = highpri_of(summaries, s.name);
        const auto vs_cap = iso.total_vs_cap();
        table.add_row({s.name, format_rate(s.iops.median), format_rate(s.iops.min),
                       format_rate(s.iops.max),
                       highpri != nullptr && highpri->iops.median > 0
                           ? fmt::format("{:.2f}x", s.iops.median / highpri->iops.median)
                           : "-",
                       format_rate(iso.iops_per_cpu_median), cpu_spread(iso.neighbour_share),
                       fmt::format("{:.2f}x", iso.neighbour_vs_fair()), cpu_spread(iso.pod_a_cpus),
                       cpu_spread(iso.kworker_cpus), cpu_spread(iso.load_total_cpus),
                       vs_cap ? fmt::format("{:.2f}x", *vs_cap) : "-",
                       iso.cap_cpus ? cpu_percent(iso.throttled_share.median) : "-",
                       std::to_string(s.repeats)});
    }
    if (!any) {
        return "";
    }
    const auto& o = setup.options;
    std::string out = fmt::format(
        "\nisolation: pod A {} (cpu.weight {}) runs the load, pod B {} (cpu.weight {}) a process "
        "spinning on CPU {}; capped_: pod A's cpu.max \"{}\" ({:.0f}% of a CPU); _cgroup: the "
        "leaf's cpu.weight {}\n",
        setup.cgroup, setup.weight, setup.neighbour_cgroup, setup.neighbour_weight, setup.cpu,
        o.isolation ? o.isolation->cpu_max.text() : "-",
        o.isolation ? o.isolation->cpu_max.cpus() * 100 : 0.0,
        o.isolation && o.isolation->leaf_weight ? std::to_string(*o.isolation->leaf_weight)
                                                : std::string("the module's default"));
    out += table.render();
    out += "CPU columns: medians over the runs (min-max) of CPU time / measured wall time, in % of "
           "one CPU. B CPU: pod B's cpu.stat; B/FAIR: against its fair share (its weight's part "
           "of the CPU, or what pod A's cap leaves); A CGROUP: pod A's cpu.stat (with mode "
           "cgroup its leaf's too); KWORKERS: every kworker's run time (schedstat), where the "
           "completions run in the other modes, outside both pods; A TOTAL: the two together; "
           "IOPS/CPU: IOPS per CPU of A TOTAL; THROTTLED: pod A's throttled time\n";
    return out;
}

std::string isolation_run_text(const RunRecord& record) {
    if (!record.isolation) {
        return "";
    }
    const auto& s = *record.isolation;
    const auto kworkers = s.kworker_cpus();
    return fmt::format("  B {} A {}+kw {}", cpu_percent(s.neighbour_share()),
                       cpu_percent(s.pod_a_cpus()), kworkers ? cpu_percent(*kworkers) : "-");
}

json::Value isolation_run_json(const RunRecord& record) {
    if (!record.isolation) {
        return json::Value();
    }
    const auto& s = *record.isolation;
    return json::Object{
        {"wall_s", rounded(s.wall_s, 4)},
        {"pod_a_cpu_s", rounded(s.pod_a_cpu_s, 4)},
        {"pod_b_cpu_s", rounded(s.pod_b_cpu_s, 4)},
        {"kworker_cpu_s", s.kworker_cpu_s ? rounded(*s.kworker_cpu_s, 4) : json::Value()},
        {"throttled_s", rounded(s.throttled_s, 4)},
        {"nr_throttled", s.nr_throttled},
        {"neighbour_share", rounded(s.neighbour_share(), 4)},
        {"fair_share", rounded(s.fair_share, 4)},
        {"pod_a_cpus", rounded(s.pod_a_cpus(), 4)},
        {"kworker_cpus", s.kworker_cpus() ? rounded(*s.kworker_cpus(), 4) : json::Value()},
        {"load_total_cpus", rounded(s.load_total_cpus(), 4)},
        {"cap_cpus", s.cap_cpus ? rounded(*s.cap_cpus, 4) : json::Value()},
    };
}

json::Value isolation_summary_json(const ConfigurationSummary& summary) {
    if (!summary.isolation) {
        return json::Value();
    }
    const auto& iso = *summary.isolation;
    const auto vs_cap = iso.total_vs_cap();
    return json::Object{
        {"neighbour_share", spread_json(iso.neighbour_share)},
        {"fair_share", rounded(iso.fair_share, 4)},
        {"neighbour_vs_fair", rounded(iso.neighbour_vs_fair(), 3)},
        {"pod_a_cpus", spread_json(iso.pod_a_cpus)},
        {"kworker_cpus", spread_json(iso.kworker_cpus)},
        {"load_total_cpus", spread_json(iso.load_total_cpus)},
        {"cap_cpus", iso.cap_cpus ? rounded(*iso.cap_cpus, 4) : json::Value()},
        {"total_vs_cap", vs_cap ? rounded(*vs_cap, 3) : json::Value()},
        {"throttled_share", spread_json(iso.throttled_share)},
        {"iops_per_cpu_median", rounded(iso.iops_per_cpu_median, 1)},
    };
}

json::Value isolation_setup_json(const BenchSetup& setup) {
    const auto& o = setup.options;
    if (!o.isolation) {
        return json::Value();
    }
    return json::Object{
        {"pod_a", setup.cgroup},
        {"pod_a_weight", setup.weight},
        {"pod_b", setup.neighbour_cgroup},
        {"pod_b_weight", setup.neighbour_weight},
        {"neighbour", "a process spinning, pinned to the load's CPU"},
        {"cpu_max", o.isolation->cpu_max.text()},
        {"leaf_weight", json::Value::optional(o.isolation->leaf_weight)},
        {"cpu_max_cpus", rounded(o.isolation->cpu_max.cpus(), 4)},
        {"kworker_cpu_source", "/proc/PID/schedstat of every kworker/ task"},
    };
}

} // namespace diowq::bench
