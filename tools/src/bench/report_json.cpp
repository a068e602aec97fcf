// SPDX-License-Identifier: GPL-2.0
#include "bench/report_json.hpp"

#include <algorithm>
#include <cmath>

#include "bench/report_isolation.hpp"
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
        // Mode cgroup: the leaf, its weight, and the completions its thread ran since the tune
        // (ramp included; a run right after another in mode cgroup keeps its leaf and adds on).
        {"cgroup", json::Value::optional(sb->cgroup)},
        {"cgroup_weight", json::Value::optional(sb->cgroup_weight)},
        {"diverted", json::Value::optional(sb->diverted)},
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

json::Value dispatch_json(const RunRecord& r, const std::vector<unsigned>& load_cpus) {
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
        {"load_cpu_completions",
         [&] {
             std::uint64_t n = 0;
             for (const unsigned cpu : load_cpus) {
                 n += d.completions_on(cpu);
             }
             return n;
         }()},
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

// Each job's part of a run: where it ran and what it did.
json::Value jobs_json(const RunRecord& r, const BenchSetup& setup) {
    const auto cpus = setup.load_cpus();
    json::Array jobs;
    for (std::size_t job = 0; job < r.jobs.size(); ++job) {
        const EngineResult& e = r.jobs[job];
        const double cpu_s = e.cpu_user_seconds + e.cpu_system_seconds;
        jobs.push_back(json::Object{
            {"job", std::uint64_t{job}},
            {"cpu", job < cpus.size() ? json::Value(cpus[job]) : json::Value()},
            {"file", job < setup.files.size() ? json::Value(setup.files[job]) : json::Value()},
            {"seconds", rounded(e.seconds, 3)},
            {"ios", e.ios()},
            {"reads", e.reads},
            {"writes", e.writes},
            {"file_restarts", e.file_restarts},
            {"iops", rounded(e.iops(), 1)},
            {"clat_p50_ns",
             e.latency_summary() ? json::Value(e.latency_summary()->p50) : json::Value()},
            {"clat_p99_ns",
             e.latency_summary() ? json::Value(e.latency_summary()->p99) : json::Value()},
            {"cpu_us_per_io",
             e.ios() == 0 ? json::Value() : rounded(cpu_s * 1e6 / double(e.ios()), 3)},
        });
    }
    return jobs;
}

json::Value run_json(const RunRecord& r, const BenchSetup& setup) {
    const auto cpus = setup.load_cpus();
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
        {"interrupt_share", rounded(r.interrupt_share(cpus), 3)},
        {"reniced", std::uint64_t{r.reniced}},
        {"not_reniced_at_end",
         r.not_reniced ? json::Value(std::uint64_t{*r.not_reniced}) : json::Value()},
        {"diowq", superblock_json(r.diowq, r.dispatch ? std::optional(r.dispatch->completions())
                                                      : std::nullopt)},
        {"dispatch", dispatch_json(r, cpus)},
        {"completions_check", check_json(r.check)},
        {"jobs", jobs_json(r, setup)},
        {"isolation", isolation_run_json(r)},
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
        {"jobs_iops_median",
         [&] {
             json::Array medians;
             for (const double v : s.job_iops_median) {
                 medians.push_back(rounded(v, 1));
             }
             return medians;
         }()},
        {"isolation", isolation_summary_json(s)},
    };
}

// The load's cgroups: flat (one) or nested as kubelet does, each level's path and weight.
json::Value hierarchy_json(const BenchSetup& setup) {
    const auto& o = setup.options;
    json::Array levels;
    for (const auto& [path, level] : setup.cgroup_levels) {
        levels.push_back(json::Object{
            {"role", level.role},
            {"path", path},
            {"weight", level.weight},
            {"shares", json::Value::optional(level.shares)},
        });
    }
    const bool k8s = o.hierarchy != Hierarchy::flat;
    const auto cpus = std::max(setup.node_cpus(), 1u);
    return json::Object{
        {"name", hierarchy_name(o.hierarchy)},
        {"driver", k8s ? json::Value("cgroupfs") : json::Value()},
        {"qos", k8s ? json::Value("Burstable") : json::Value()},
        {"node_cpus", k8s ? json::Value(std::uint64_t{cpus}) : json::Value()},
        {"pod_cpu_request_milli", k8s ? json::Value(std::uint64_t{cpus} * 1000) : json::Value()},
        {"conversion", k8s ? json::Value(conversion_name(o.hierarchy)) : json::Value()},
        {"levels", std::move(levels)},
    };
}

json::Value setup_json(const BenchSetup& setup) {
    const auto& o = setup.options;
    json::Array configurations;
    for (const auto& c : o.configurations) {
        configurations.emplace_back(c.name);
    }
    json::Array job_cpus;
    for (const unsigned cpu : setup.load_cpus()) {
        job_cpus.emplace_back(cpu);
    }
    json::Array files;
    for (const auto& file : setup.files) {
        files.emplace_back(file);
    }
    return json::Object{
        {"online_cpus", setup.online_cpus},
        {"cpu", setup.cpu},
        {"jobs", std::max(o.jobs, 1u)},
        {"job_cpus", std::move(job_cpus)},
        {"weight", setup.weight},
        {"cgroup", setup.cgroup.empty() ? json::Value() : json::Value(setup.cgroup)},
        {"hierarchy", hierarchy_json(setup)},
        {"isolation", isolation_setup_json(setup)},
        {"home_cgroup", setup.home_cgroup},
        {"directory", setup.directory},
        {"file", setup.file},
        {"files", std::move(files)},
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
             {"uring_setup", o.engine.ioengine == IoEngine::io_uring
                                 ? json::Value(uring_setup_name(o.engine.uring_setup))
                                 : json::Value()},
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
        runs.push_back(run_json(r, setup));
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
