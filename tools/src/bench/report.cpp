// SPDX-License-Identifier: GPL-2.0
#include "bench/report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/units.hpp"
#include "latency/histogram.hpp"
#include "output/table.hpp"

namespace diowq::bench {

namespace {

const ConfigurationSummary* find(const std::vector<ConfigurationSummary>& summaries,
                                 std::string_view name) {
    const auto it = std::find_if(summaries.begin(), summaries.end(),
                                 [&](const auto& s) { return s.name == name; });
    return it == summaries.end() ? nullptr : &*it;
}

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
    };
}

json::Value watch_json(const std::optional<WatchState>& watch) {
    if (!watch) {
        return json::Value();
    }
    json::Array watched;
    for (const auto& dev : watch->watched) {
        watched.emplace_back(device_text(dev));
    }
    return json::Object{{"all", watch->all}, {"watched", std::move(watched)}};
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
        {"engine",
         json::Object{
             {"name", o.engine_kind == EngineKind::fio ? "fio" : "builtin"},
             {"bs", o.engine.block_size},
             {"iodepth", o.engine.iodepth},
             {"batch_submit", o.engine.batch_submit},
             {"batch_complete_min", o.engine.batch_complete_min},
             {"batch_complete_max", o.engine.batch_complete_max},
             {"runtime_ms", std::int64_t{o.engine.runtime.count()}},
             {"ramp_ms", std::int64_t{o.engine.ramp.count()}},
             {"rwmixread", o.engine.read_percent},
             {"size", o.file_size},
             {"layout", layout_name(o.layout)},
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
             {"watch_added", setup.dispatch_watch_added},
             {"watch_before", watch_json(setup.dispatch_before)},
         }},
    };
}

std::string dispatch_notes(const BenchSetup& setup, const std::vector<RunRecord>& records,
                           const std::vector<ConfigurationSummary>& summaries) {
    if (!setup.dispatch_available) {
        return setup.dispatch_unavailable
                   ? fmt::format("\ndispatch latency: {}\n", *setup.dispatch_unavailable)
                   : std::string();
    }
    std::string out = "\ndispatch latency (DISP): the module's, queued -> running of the dio write "
                      "completions, all CPUs summed, log2-bucket estimates; probes' cost per "
                      "completion:";
    std::vector<std::string> costs;
    for (const auto& s : summaries) {
        if (s.probe_ns_per_completion) {
            costs.push_back(fmt::format("{} {:.0f} ns", s.name, *s.probe_ns_per_completion));
        }
    }
    out += costs.empty() ? " -\n" : " " + fmt::format("{}", fmt::join(costs, ", ")) + "\n";
    std::size_t unmeasured = 0;
    for (const auto& r : records) {
        unmeasured += r.dispatch ? 0u : 1u;
        if (r.check && !r.check->ok) {
            out += fmt::format("  check: {} #{}: the module counted {} queued completions, more "
                               "than the engine's {} writes (+{} in flight)\n",
                               r.configuration, r.round + 1, r.check->module_completions,
                               r.check->engine_writes, r.check->slack);
        }
        if (r.dispatch && (r.dispatch->restarted || r.dispatch->watch_lost)) {
            out += fmt::format("  {} #{}: the watch changed during the run, partial counts\n",
                               r.configuration, r.round + 1);
        }
    }
    if (unmeasured > 0) {
        out += fmt::format("  {} run{} without the module's counts (a reading failed)\n",
                           unmeasured, unmeasured == 1 ? "" : "s");
    }
    return out;
}

} // namespace

std::vector<ConfigurationSummary> summarize(const std::vector<Configuration>& configurations,
                                            const std::vector<RunRecord>& records, unsigned cpu) {
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
        std::uint64_t probe_ns = 0;
        std::uint64_t probed = 0;
        for (const auto& r : records) {
            if (r.configuration != s.name) {
                continue;
            }
            if (r.check && !r.check->ok) {
                ++s.completion_check_failures;
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
                    load_share.push_back(double(d->completions_on(cpu)) / double(n));
                }
            }
            iops.push_back(r.engine.iops());
            switches.push_back(r.switches_per_io());
            shares.push_back(r.interrupt_share(cpu));
            cpu_us.push_back(r.cpu_us_per_io());
            if (const auto latency = r.engine.latency_summary()) {
                p50.push_back(double(latency->p50));
                p99.push_back(double(latency->p99));
            }
        }
        s.repeats = iops.size();
        s.iops = spread_of(iops);
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
        if (probed > 0) {
            s.probe_ns_per_completion = double(probe_ns) / double(probed);
        }
        summaries.push_back(std::move(s));
    }
    const ConfigurationSummary* base = find(summaries, baseline_name);
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

std::vector<Target> evaluate_targets(const std::vector<ConfigurationSummary>& summaries) {
    std::vector<Target> targets;
    const auto ratio = [&](std::string_view name) -> std::optional<double> {
        const auto* s = find(summaries, name);
        return s ? s->ratio : std::nullopt;
    };
    if (const auto r = ratio("inside_on")) {
        targets.push_back({"highpri_vs_outside", "inside_on >= 1.00x outside_off", *r, *r >= 1.0});
    }
    if (const auto r = ratio("inside_on_unbound")) {
        targets.push_back(
            {"unbound_vs_outside", "inside_on_unbound >= 1.05x outside_off", *r, *r >= 1.05});
    }
    for (const char* name : {"inside_on", "inside_on_unbound"}) {
        const auto* s = find(summaries, name);
        if (s && s->worst_ratio) {
            targets.push_back({fmt::format("{}_every_run", name),
                               fmt::format("every {} run >= 0.95x outside_off", name),
                               *s->worst_ratio, *s->worst_ratio >= 0.95});
        }
        if (s && s->switches_ratio) {
            targets.push_back({fmt::format("{}_ctx_per_io", name),
                               fmt::format("{} ctx/IO <= 1.2x outside_off", name),
                               *s->switches_ratio, *s->switches_ratio <= 1.2});
        }
    }
    if (const auto r = ratio("outside_on")) {
        targets.push_back({"no_contention_cost", "outside_on within 2% of outside_off", *r,
                           std::fabs(*r - 1.0) <= 0.02});
    }
    const auto renice = ratio("inside_renice");
    for (const char* name : {"inside_on", "inside_on_unbound"}) {
        const auto r = ratio(name);
        if (r && renice) {
            targets.push_back({fmt::format("{}_beats_renice", name),
                               fmt::format("{} > inside_renice ({:.2f}x)", name, *renice),
                               *r / *renice, *r > *renice});
        }
    }
    return targets;
}

std::string verdict(const std::vector<ConfigurationSummary>& summaries) {
    const auto* inside = find(summaries, "inside_off");
    if (inside == nullptr || !inside->ratio) {
        return {};
    }
    std::string line =
        *inside->ratio < 0.95
            ? fmt::format("starvation: inside/off is {:.2f}x of outside", *inside->ratio)
            : fmt::format("no starvation here: inside/off is {:.2f}x of outside", *inside->ratio);
    std::vector<std::string> cures;
    for (const auto& [name, label] :
         {std::pair{"inside_on", "highpri"}, std::pair{"inside_on_unbound", "unbound"}}) {
        const auto* s = find(summaries, name);
        if (s && s->ratio) {
            cures.push_back(fmt::format("{:.2f}x ({})", *s->ratio, label));
        }
    }
    if (!cures.empty()) {
        line += fmt::format("; with diowq {}", fmt::join(cures, ", "));
    }
    if (const auto* s = find(summaries, "inside_renice"); s && s->ratio) {
        line += fmt::format("; reniced kworkers {:.2f}x", *s->ratio);
    }
    if (const auto* s = find(summaries, "outside_on"); s && s->ratio) {
        line += fmt::format("; uncontended with diowq {:.2f}x", *s->ratio);
    }
    return line;
}

std::string report_text(const BenchSetup& setup, const std::vector<RunRecord>& records,
                        const std::vector<ConfigurationSummary>& summaries,
                        const std::vector<Target>& targets) {
    const auto& o = setup.options;
    std::string out;
    out += fmt::format("diowqctl bench{} on {}: {} {} on {} ({}), CPU {} of {}, cpu.weight {}\n",
                       o.engine_kind == EngineKind::fio ? " (load run by fio)" : "", setup.kernel,
                       setup.fstype, setup.mountpoint, setup.source,
                       setup.irq_name.value_or("interrupts not counted"), setup.cpu,
                       setup.online_cpus, setup.weight);
    const std::string mix = o.engine.read_percent == 0 ? "randwrite"
                            : o.engine.read_percent == 100
                                ? "randread"
                                : fmt::format("randrw {}% reads", o.engine.read_percent);
    out += fmt::format("{} {}, iodepth {}, batch submit {}, complete {}-{}, {} file ({}), "
                       "{} + {} ramp, {} run{} per configuration\n\n",
                       mix, format_size(o.engine.block_size), o.engine.iodepth,
                       o.engine.batch_submit, o.engine.batch_complete_min,
                       o.engine.batch_complete_max, format_size(o.file_size), layout_name(o.layout),
                       format_duration(o.engine.runtime), format_duration(o.engine.ramp), o.repeat,
                       o.repeat == 1 ? "" : "s");

    using text::Align;
    text::Table table({{"CONFIGURATION"},
                       {"IOPS", Align::right},
                       {"MIN", Align::right},
                       {"MAX", Align::right},
                       {"VS BASE", Align::right},
                       {"CTX/IO", Align::right},
                       {"VS BASE", Align::right},
                       {"CPU US/IO", Align::right},
                       {"CLAT P50 US", Align::right},
                       {"CLAT P99 US", Align::right},
                       {"DISP P50 US", Align::right},
                       {"DISP P99 US", Align::right},
                       {fmt::format("IRQ CPU{}", setup.cpu), Align::right},
                       {"RUNS", Align::right}});
    for (const auto& s : summaries) {
        if (s.repeats == 0) {
            table.add_row(
                {s.name, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "0"});
            continue;
        }
        table.add_row(
            {s.name, format_rate(s.iops.median), format_rate(s.iops.min), format_rate(s.iops.max),
             ratio_text(s.ratio),
             s.switches_per_io_median ? fmt::format("{:.3f}", *s.switches_per_io_median) : "-",
             ratio_text(s.switches_ratio), fmt::format("{:.2f}", s.cpu_us_per_io_median),
             micros(s.latency_p50_ns_median), micros(s.latency_p99_ns_median),
             dispatch_micros(s.dispatch_p50_ns_median), dispatch_micros(s.dispatch_p99_ns_median),
             share_text(s.interrupt_share_median), std::to_string(s.repeats)});
    }
    out += table.render();

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
        out += fmt::format("  cpu: usr={:.2f}s, sys={:.2f}s, ctx={} (engine), {} on CPU {}\n",
                           r.engine.cpu_user_seconds, r.engine.cpu_system_seconds,
                           r.engine.voluntary_switches + r.engine.involuntary_switches,
                           r.cpu_switches ? std::to_string(*r.cpu_switches) : "-", setup.cpu);
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

std::string run_line(const RunRecord& r, std::size_t total_runs) {
    const auto switches = r.switches_per_io();
    std::string line = fmt::format(
        "{:>3}/{} {:<18} #{}  {:>6} IOPS  ctx/IO {}  CPU us/IO {:.2f}  p99 {} us", r.sequence + 1,
        total_runs, r.configuration, r.round + 1, format_rate(r.engine.iops()),
        switches ? fmt::format("{:.3f}", *switches) : "-", r.cpu_us_per_io(),
        micros(r.engine.latency_summary() ? double(r.engine.latency_summary()->p99) : 0.0));
    if (r.dispatch) {
        const auto p99 = r.dispatch->percentile_ns(99);
        line += fmt::format("  dispatch p99 {} us{}",
                            dispatch_micros(p99 ? std::optional(double(*p99)) : std::nullopt),
                            r.check && !r.check->ok ? " (counts disagree)" : "");
    }
    return line;
}

} // namespace diowq::bench
