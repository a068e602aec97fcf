// SPDX-License-Identifier: GPL-2.0
#include "bench/report_table.hpp"

#include <cmath>

#include <fmt/format.h>

#include "bench/report_isolation.hpp"
#include "bench/units.hpp"
#include "bench/verdict.hpp"
#include "output/table.hpp"

namespace diowq::bench {

namespace {

std::string ratio_text(const std::optional<double>& ratio) {
    return ratio ? fmt::format("{:.2f}x", *ratio) : "-";
}

std::string micros(double ns) {
    if (!std::isfinite(ns) || ns <= 0) {
        return "-";
    }
    const double us = ns / 1000;
    return us >= 100 ? fmt::format("{:.0f}", us) : fmt::format("{:.1f}", us);
}

// Dispatch delays are often below a microsecond: two digits below 10 us.
std::string dispatch_micros(const std::optional<double>& ns) {
    if (!ns || !std::isfinite(*ns) || *ns < 0) {
        return "-";
    }
    const double us = *ns / 1000;
    return us >= 100  ? fmt::format("{:.0f}", us)
           : us >= 10 ? fmt::format("{:.1f}", us)
                      : fmt::format("{:.2f}", us);
}

std::string share_text(const std::optional<double>& share) {
    return share ? fmt::format("{:.0f}%", *share * 100) : "-";
}

std::string dispatch_notes(const BenchSetup& setup, const std::vector<RunRecord>& records,
                           const std::vector<ConfigurationSummary>& summaries) {
    if (!setup.dispatch_available) {
        return setup.dispatch_unavailable
                   ? fmt::format("\ndispatch latency: {}\n", *setup.dispatch_unavailable)
                   : std::string();
    }
    std::string out =
        "\ndispatch latency (DISP): diowqctl's BPF program's, queued -> running of the "
        "dio write completions, all CPUs summed, log2-bucket estimates; the "
        "program's cost per completion:";
    std::vector<std::string> costs;
    for (const auto& s : summaries) {
        if (s.probe_ns_per_completion) {
            costs.push_back(fmt::format("{} {:.0f} ns", s.name, *s.probe_ns_per_completion));
        }
    }
    out += costs.empty() ? " -\n" : " " + fmt::format("{}", fmt::join(costs, ", ")) + "\n";
    std::size_t unmeasured = 0;
    for (const auto& r : records) {
        const auto configuration = find_configuration(r.configuration);
        const bool unwatched = configuration && configuration->unwatched; // by design
        unmeasured += r.dispatch || unwatched ? 0u : 1u;
        if (r.check && !r.check->ok) {
            out += fmt::format("  check: {} #{}: the program counted {} queued completions, more "
                               "than the engine's {} writes (+{} in flight)\n",
                               r.configuration, r.round + 1, r.check->module_completions,
                               r.check->engine_writes, r.check->slack);
        }
        if (r.dispatch && (r.dispatch->restarted || r.dispatch->watch_lost)) {
            out += fmt::format("  {} #{}: the program's counters restarted during the run, "
                               "partial counts\n",
                               r.configuration, r.round + 1);
        }
    }
    if (unmeasured > 0) {
        out += fmt::format("  {} run{} without the program's counts (a reading failed)\n",
                           unmeasured, unmeasured == 1 ? "" : "s");
    }
    return out;
}

// The header's placement: CPUs, jobs, the cgroup(s) and their weights.
std::string placement_text(const BenchSetup& setup) {
    const auto& o = setup.options;
    const auto cpus = setup.load_cpus();
    std::vector<std::string> names;
    for (const unsigned cpu : cpus) {
        names.push_back(std::to_string(cpu));
    }
    std::string out = cpus.size() == 1 ? fmt::format("CPU {} of {}", setup.cpu, setup.online_cpus)
                                       : fmt::format("{} jobs on CPUs {} of {}", cpus.size(),
                                                     fmt::join(names, ","), setup.online_cpus);
    if (o.isolation) {
        return out + fmt::format(", pods A and B, cpu.weight {} and {}", setup.weight,
                                 setup.neighbour_weight);
    }
    if (o.hierarchy == Hierarchy::flat) {
        return out + fmt::format(", cpu.weight {}", setup.weight);
    }
    out += fmt::format(", cgroups as kubelet's for a Burstable pod requesting all {} CPUs of its "
                       "node ({} conversion)",
                       setup.node_cpus(), conversion_name(o.hierarchy));
    for (const auto& [path, level] : setup.cgroup_levels) {
        out += fmt::format("\n  {:<9} cpu.weight {:>5}  {}", level.role, level.weight, path);
    }
    return out;
}

// "5.1k + 4.9k": each job's median IOPS.
std::string jobs_iops_text(const std::vector<double>& medians) {
    std::vector<std::string> parts;
    for (const double v : medians) {
        parts.push_back(format_rate(v));
    }
    return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, " + "));
}

} // namespace

std::string report_text(const BenchSetup& setup, const std::vector<RunRecord>& records,
                        const std::vector<ConfigurationSummary>& summaries,
                        const std::vector<Target>& targets) {
    const auto& o = setup.options;
    std::string out;
    out += fmt::format("diowqctl bench{} on {}: {} {} on {} ({}), {}\n",
                       o.engine_kind == EngineKind::fio ? " (load run by fio)" : "", setup.kernel,
                       setup.fstype, setup.mountpoint, setup.source,
                       setup.irq_name.value_or("interrupts not counted"), placement_text(setup));
    const std::string mix = o.engine.offsets == Offsets::append ? "append"
                            : o.engine.read_percent == 0        ? "randwrite"
                            : o.engine.read_percent == 100
                                ? "randread"
                                : fmt::format("randrw {}% reads", o.engine.read_percent);
    out += fmt::format("{} {}, {}, iodepth {}, batch submit {}, complete {}-{}, {} file ({}), "
                       "{} + {} ramp, {} run{} per configuration\n\n",
                       mix, format_size(o.engine.block_size),
                       io_engine_label(o.engine.ioengine, o.engine.uring_setup), o.engine.iodepth,
                       o.engine.batch_submit, o.engine.batch_complete_min,
                       o.engine.batch_complete_max, format_size(o.file_size),
                       pattern_name(o.pattern), format_duration(o.engine.runtime),
                       format_duration(o.engine.ramp), o.repeat, o.repeat == 1 ? "" : "s");

    using text::Align;
    const auto cpus = setup.load_cpus();
    const bool jobs = cpus.size() > 1;
    std::vector<std::string> cpu_names;
    for (const unsigned cpu : cpus) {
        cpu_names.push_back(std::to_string(cpu));
    }
    std::vector<text::Column> columns{{"CONFIGURATION"},
                                      {jobs ? "IOPS TOTAL" : "IOPS", Align::right},
                                      {"MIN", Align::right},
                                      {"MAX", Align::right},
                                      {"VS BASE", Align::right}};
    if (jobs) {
        columns.push_back({"IOPS PER JOB", Align::right});
    }
    for (const char* name : {"CTX/IO", "VS BASE", "CPU US/IO", "CLAT P50 US", "CLAT P99 US",
                             "DISP P50 US", "DISP P99 US"}) {
        columns.push_back({name, Align::right});
    }
    columns.push_back({fmt::format("IRQ CPU{}", fmt::join(cpu_names, ",")), Align::right});
    columns.push_back({"RUNS", Align::right});
    text::Table table(columns);
    for (const auto& s : summaries) {
        std::vector<std::string> row;
        if (s.repeats == 0) {
            row.assign(columns.size(), "-");
            row.front() = s.name;
            row.back() = "0";
            table.add_row(row);
            continue;
        }
        row = {s.name, format_rate(s.iops.median), format_rate(s.iops.min), format_rate(s.iops.max),
               ratio_text(s.ratio)};
        if (jobs) {
            row.push_back(jobs_iops_text(s.job_iops_median));
        }
        for (auto& cell : std::vector<std::string>{
                 s.switches_per_io_median ? fmt::format("{:.3f}", *s.switches_per_io_median) : "-",
                 ratio_text(s.switches_ratio), fmt::format("{:.2f}", s.cpu_us_per_io_median),
                 micros(s.latency_p50_ns_median), micros(s.latency_p99_ns_median),
                 dispatch_micros(s.dispatch_p50_ns_median),
                 dispatch_micros(s.dispatch_p99_ns_median), share_text(s.interrupt_share_median),
                 std::to_string(s.repeats)}) {
            row.push_back(std::move(cell));
        }
        table.add_row(row);
    }
    out += table.render();
    out += isolation_table(setup, summaries);
    if (jobs) {
        out +=
            fmt::format("\nIOPS TOTAL: all {} jobs' I/Os; IOPS PER JOB: each job's median, job 0 "
                        "(CPU {}) first; CTX/IO: switches on all their CPUs per I/O of all\n",
                        cpus.size(), setup.cpu);
    }

    if (records.size() == 1) {
        // One run: fio's view of it (a run by fio has no per-second samples here).
        const auto& r = records.front();
        const Spread s = spread_of(r.engine.iops_samples);
        out += s.count == 0
                   ? fmt::format("\n  iops: avg={:.0f}\n", r.engine.iops())
                   : fmt::format("\n  iops: min={:.0f}, max={:.0f}, avg={:.0f}, stdev={:.0f}, "
                                 "samples={}\n",
                                 s.min, s.max, r.engine.iops(), s.stdev, s.count);
        if (const auto l = r.engine.latency_summary()) {
            out += fmt::format("  clat (usec): min={}, avg={}, 50th={}, 90th={}, 99th={}, "
                               "99.9th={}, max={}\n",
                               micros(double(l->min)), micros(l->mean), micros(double(l->p50)),
                               micros(double(l->p90)), micros(double(l->p99)),
                               micros(double(l->p99_9)), micros(double(l->max)));
        }
        if (const auto& d = r.dispatch; d && d->completions() > 0) {
            const auto us = [](const std::optional<std::uint64_t>& ns) {
                return dispatch_micros(ns ? std::optional(double(*ns)) : std::nullopt);
            };
            out += fmt::format("  dispatch (usec): 50th={}, 99th={}, max={}, completions={} "
                               "({} on CPU {})\n",
                               us(d->percentile_ns(50)), us(d->percentile_ns(99)), us(d->max_ns()),
                               d->completions(), d->completions_on(setup.cpu), setup.cpu);
        }
        out += fmt::format("  cpu: usr={:.2f}s, sys={:.2f}s, ctx={} (engine), {} on CPU{} {}\n",
                           r.engine.cpu_user_seconds, r.engine.cpu_system_seconds,
                           r.engine.voluntary_switches + r.engine.involuntary_switches,
                           r.cpu_switches ? std::to_string(*r.cpu_switches) : "-", jobs ? "s" : "",
                           fmt::join(cpu_names, ","));
        if (jobs) {
            for (std::size_t job = 0; job < r.jobs.size(); ++job) {
                out += fmt::format("  job {} (CPU {}): iops={:.0f}, ios={}\n", job,
                                   job < cpus.size() ? cpus[job] : 0, r.jobs[job].iops(),
                                   r.jobs[job].ios());
            }
        }
    }
    if (setup.switches_unavailable) {
        out += fmt::format("\nno context switch counts: {}\n", *setup.switches_unavailable);
    }
    out += dispatch_notes(setup, records, summaries);
    const std::string line = verdict(summaries);
    if (!line.empty()) {
        out += "\n" + line + "\n";
    }
    if (!targets.empty()) {
        out += "\ntargets:\n";
        for (const auto& t : targets) {
            out += fmt::format("  {:<4} {} (is {:.3f})\n", t.met ? "ok" : "MISS", t.claim, t.value);
        }
    }
    return out;
}

std::string run_line(const RunRecord& r, std::size_t total_runs) {
    const auto switches = r.switches_per_io();
    std::string per_job;
    if (r.jobs.size() > 1) {
        std::vector<double> iops;
        for (const auto& job : r.jobs) {
            iops.push_back(job.iops());
        }
        per_job = fmt::format(" ({})", jobs_iops_text(iops));
    }
    std::string line = fmt::format(
        "{:>3}/{} {:<18} #{}  {:>6} IOPS{}  ctx/IO {}  CPU us/IO {:.2f}  p99 {} us", r.sequence + 1,
        total_runs, r.configuration, r.round + 1, format_rate(r.engine.iops()), per_job,
        switches ? fmt::format("{:.3f}", *switches) : "-", r.cpu_us_per_io(),
        micros(r.engine.latency_summary() ? double(r.engine.latency_summary()->p99) : 0.0));
    if (r.dispatch) {
        const auto p99 = r.dispatch->percentile_ns(99);
        line += fmt::format("  dispatch p99 {} us{}",
                            dispatch_micros(p99 ? std::optional(double(*p99)) : std::nullopt),
                            r.check && !r.check->ok ? " (counts disagree)" : "");
    }
    return line + isolation_run_text(r);
}

} // namespace diowq::bench
