// SPDX-License-Identifier: GPL-2.0
#include "bench/report_json.hpp"

#include <cmath>

#include "bench/verdict.hpp"
#include "latency/histogram.hpp"

namespace diowq::bench {

namespace {

// Numbers in the JSON keep the precision they have, not the float's noise.
json::Value rounded(double value, int digits) {
    if (!std::isfinite(value)) {
        return json::Value();
    }
    const double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

json::Value rounded(const std::optional<double>& value, int digits) {
    return value ? rounded(*value, digits) : json::Value();
}

json::Value latency_json(const std::optional<LatencySummary>& l) {
    if (!l) {
        return json::Value();
    }
    return json::Object{
        {"min", l->min}, {"mean", rounded(l->mean, 0)}, {"p50", l->p50}, {"p90", l->p90},
        {"p99", l->p99}, {"p99_9", l->p99_9},           {"max", l->max},
    };
}

json::Value optional_ns(const std::optional<std::uint64_t>& ns) {
    return json::Value::optional(ns);
}

json::Value hist_json(const LatencyBuckets& hist) {
    json::Array counts;
    for (const auto count : hist) {
        counts.emplace_back(count);
    }
    return counts;
}

// `completions`: the module's measured completions in the run's window, when known.
json::Value superblock_json(const std::optional<SuperblockStatus>& sb,
                            std::optional<std::uint64_t> completions = std::nullopt) {
    if (!sb) {
        return json::Value();
    }
    return json::Object{
        {"id", sb->id},
        {"mode", sb->mode ? json::Value(mode_name(*sb->mode)) : json::Value()},
        {"workqueue", json::Value::optional(sb->workqueue)},
        {"swaps", json::Value::optional(sb->swaps)},
        {"tuned_ms", json::Value::optional(sb->tuned_ms)},
        // The module's measured completions (all CPUs) in the run's window; "dispatch" in the
        // run has them per CPU.
        {"completions", json::Value::optional(completions)},
    };
}

json::Value check_json(const std::optional<CompletionCheck>& check) {
    if (!check) {
        return json::Value();
    }
    return json::Object{
        {"engine_writes", check->engine_writes},
        {"module_completions", check->module_completions},
        {"slack", check->slack},
        {"queued_share", check->queued_share},
        {"ok", check->ok},
    };
}

json::Value dispatch_json(const RunRecord& r, unsigned load_cpu) {
    if (!r.dispatch) {
        return json::Value();
    }
    const DispatchWindow& d = *r.dispatch;
    const std::uint64_t completions = d.completions();
    json::Array per_cpu;
    json::Array cpus;
    for (const auto& c : d.cpus) {
        per_cpu.emplace_back(c.completions);
        if (c.completions == 0) {
            continue;
        }
        const auto summary = latency::summarize(c, d.seconds);
        cpus.push_back(json::Object{
            {"cpu", c.cpu},
            {"completions", c.completions},
            {"p50_ns", optional_ns(summary.p50_ns)},
            {"p99_ns", optional_ns(summary.p99_ns)},
            {"max_ns", optional_ns(summary.max_ns)},
            {"max_exact", c.max_exact},
            {"mean_ns", optional_ns(summary.mean_ns)},
            {"worker_nice", json::Value::optional(c.worker_nice)},
        });
    }
    // Each hook's part of probe_ns and probe_hits: where the program's time goes.
    json::Object programs;
    for (const auto& p : d.programs) {
        programs.emplace_back(p.name, json::Object{{"ns", p.run_ns}, {"runs", p.runs}});
    }
    return json::Object{
        {"seconds", rounded(d.seconds, 3)},
        {"completions", completions},
        {"completions_per_cpu", std::move(per_cpu)},
        {"load_cpu_completions", d.completions_on(load_cpu)},
        {"unmatched", d.unmatched},
        {"p50_ns", optional_ns(d.percentile_ns(50))},
        {"p99_ns", optional_ns(d.percentile_ns(99))},
        {"max_ns", optional_ns(d.max_ns())},
        {"mean_ns", optional_ns(d.mean_ns())},
        {"hist", hist_json(d.hist())},
        {"cpus", std::move(cpus)},
        {"probe_ns", d.probe_ns},
        {"probe_hits", d.probe_hits},
        {"probe_ns_per_completion", rounded(d.probe_ns_per_completion(), 1)},
        {"programs", std::move(programs)},
        {"queued_of_completed", rounded(d.queued_share, 4)},
        {"restarted", d.restarted || d.watch_lost},
    };
}

json::Value run_json(const RunRecord& r, unsigned cpu) {
    const Spread s = spread_of(r.engine.iops_samples);
    json::Array samples;
    for (const double v : r.engine.iops_samples) {
        samples.push_back(rounded(v, 1));
    }
    json::Value interrupts;
    if (!r.interrupts.empty()) {
        json::Array per_cpu;
        for (const auto count : r.interrupts) {
            per_cpu.emplace_back(count);
        }
        interrupts = std::move(per_cpu);
    }
    return json::Object{
        {"configuration", r.configuration},
        {"round", r.round},
        {"sequence", r.sequence},
        {"seconds", rounded(r.engine.seconds, 3)},
        {"ios", r.engine.ios()},
        {"reads", r.engine.reads},
        {"writes", r.engine.writes},
        {"file_restarts", r.engine.file_restarts},
        {"iops", rounded(r.engine.iops(), 1)},
        {"iops_min", rounded(s.min, 1)},
        {"iops_max", rounded(s.max, 1)},
        {"iops_mean", rounded(s.mean, 1)},
        {"iops_stdev", rounded(s.stdev, 1)},
        {"iops_samples", std::move(samples)},
        {"clat_ns", latency_json(r.engine.latency_summary())},
        {"cpu_switches", json::Value::optional(r.cpu_switches)},
        {"ctx_per_io", rounded(r.switches_per_io(), 4)},
        {"cpu_us_per_io", rounded(r.cpu_us_per_io(), 3)},
        {"cpu_user_s", rounded(r.engine.cpu_user_seconds, 3)},
        {"cpu_system_s", rounded(r.engine.cpu_system_seconds, 3)},
        {"engine_voluntary_switches", r.engine.voluntary_switches},
        {"engine_involuntary_switches", r.engine.involuntary_switches},
        {"interrupts_per_cpu", std::move(interrupts)},
        {"interrupt_share", rounded(r.interrupt_share(cpu), 3)},
        {"reniced", std::uint64_t{r.reniced}},
        {"not_reniced_at_end",
         r.not_reniced ? json::Value(std::uint64_t{*r.not_reniced}) : json::Value()},
        {"diowq", superblock_json(r.diowq, r.dispatch ? std::optional(r.dispatch->completions())
                                                      : std::nullopt)},
        {"dispatch", dispatch_json(r, cpu)},
        {"completions_check", check_json(r.check)},
    };
}

json::Value summary_json(const ConfigurationSummary& s) {
    return json::Object{
        {"repeats", std::uint64_t{s.repeats}},
        {"iops_median", rounded(s.iops.median, 1)},
        {"iops_min", rounded(s.iops.min, 1)},
        {"iops_max", rounded(s.iops.max, 1)},
        {"iops_stdev", rounded(s.iops.stdev, 1)},
        {"ratio", rounded(s.ratio, 3)},
        {"worst_ratio", rounded(s.worst_ratio, 3)},
        {"ctx_per_io_median", rounded(s.switches_per_io_median, 4)},
        {"ctx_ratio", rounded(s.switches_ratio, 3)},
        {"cpu_us_per_io_median", rounded(s.cpu_us_per_io_median, 3)},
        {"clat_p50_ns_median", rounded(s.latency_p50_ns_median, 0)},
        {"clat_p99_ns_median", rounded(s.latency_p99_ns_median, 0)},
        {"interrupt_share_median", rounded(s.interrupt_share_median, 3)},
        {"dispatch_runs", std::uint64_t{s.dispatch_runs}},
        {"completions_median", rounded(s.completions_median, 0)},
        {"dispatch_p50_ns_median", rounded(s.dispatch_p50_ns_median, 0)},
        {"dispatch_p99_ns_median", rounded(s.dispatch_p99_ns_median, 0)},
        {"dispatch_max_ns_median", rounded(s.dispatch_max_ns_median, 0)},
        {"dispatch_max_ns", json::Value::optional(s.dispatch_max_ns)},
        {"dispatch_load_cpu_share_median", rounded(s.dispatch_load_cpu_share_median, 3)},
        {"probe_ns_per_completion", rounded(s.probe_ns_per_completion, 1)},
        {"dispatch_hist", s.dispatch_runs > 0 ? hist_json(s.dispatch_hist) : json::Value()},
        {"completions_check_failures", std::uint64_t{s.completion_check_failures}},
        {"queued_share_median", rounded(s.queued_share_median, 3)},
    };
}

json::Value setup_json(const BenchSetup& setup) {
    const auto& o = setup.options;
    json::Array configurations;
    for (const auto& c : o.configurations) {
        configurations.emplace_back(c.name);
    }
    return json::Object{
        {"online_cpus", setup.online_cpus},
        {"cpu", setup.cpu},
        {"weight", setup.weight},
        {"cgroup", setup.cgroup.empty() ? json::Value() : json::Value(setup.cgroup)},
        {"home_cgroup", setup.home_cgroup},
        {"directory", setup.directory},
        {"file", setup.file},
        {"mountpoint", setup.mountpoint},
        {"fstype", setup.fstype},
        {"source", setup.source},
        {"irq_name", json::Value::optional(setup.irq_name)},
        {"write_cache", json::Value::optional(setup.write_cache.mode)},
        {"fua", json::Value::optional(setup.write_cache.fua)},
        {"engine",
         json::Object{
             {"name", o.engine_kind == EngineKind::fio ? "fio" : "builtin"},
             {"ioengine", io_engine_name(o.engine.ioengine)},
             {"bs", o.engine.block_size},
             {"iodepth", o.engine.iodepth},
             {"batch_submit", o.engine.batch_submit},
             {"batch_complete_min", o.engine.batch_complete_min},
             {"batch_complete_max", o.engine.batch_complete_max},
             {"runtime_ms", std::int64_t{o.engine.runtime.count()}},
             {"ramp_ms", std::int64_t{o.engine.ramp.count()}},
             {"rwmixread", o.engine.read_percent},
             {"size", o.file_size},
             {"pattern", pattern_name(o.pattern)},
             {"layout", layout_name(o.pattern)},
         }},
        {"configurations", std::move(configurations)},
        {"repeat", o.repeat},
        {"warmup_ms", std::int64_t{o.warmup.count()}},
        {"ctx_source", json::Value::optional(setup.switches_source)},
        {"ctx_unavailable", json::Value::optional(setup.switches_unavailable)},
        {"module_version", json::Value::optional(setup.module_version)},
        {"diowq_before", superblock_json(setup.diowq_before)},
        {"dispatch",
         json::Object{
             {"recorded", setup.dispatch_available},
             {"note", json::Value::optional(setup.dispatch_unavailable)},
             {"summed_over", setup.dispatch_available ? json::Value("all CPUs") : json::Value()},
             {"source", setup.dispatch_available ? json::Value("bpf") : json::Value()},
         }},
    };
}

} // namespace

json::Value report_json(const BenchSetup& setup, const std::vector<RunRecord>& records,
                        const std::vector<ConfigurationSummary>& summaries,
                        const std::vector<Target>& targets, bool interrupted) {
    json::Array runs;
    for (const auto& r : records) {
        runs.push_back(run_json(r, setup.cpu));
    }
    json::Object summary;
    for (const auto& s : summaries) {
        summary.emplace_back(s.name, summary_json(s));
    }
    json::Array target_list;
    for (const auto& t : targets) {
        target_list.push_back(json::Object{
            {"name", t.name}, {"claim", t.claim}, {"value", rounded(t.value, 3)}, {"met", t.met}});
    }
    const std::string line = verdict(summaries);
    return json::Object{
        {"tool_version", setup.tool_version},
        {"kernel", setup.kernel},
        {"setup", setup_json(setup)},
        {"runs", std::move(runs)},
        {"summary", std::move(summary)},
        {"targets", std::move(target_list)},
        {"verdict", line.empty() ? json::Value() : json::Value(line)},
        {"interrupted", interrupted},
    };
}

} // namespace diowq::bench
