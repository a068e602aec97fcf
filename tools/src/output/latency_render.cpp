// SPDX-License-Identifier: GPL-2.0
#include "output/latency_render.hpp"

#include <fmt/format.h>

#include "latency/format.hpp"
#include "model/model.hpp"
#include "output/table.hpp"

namespace diowq::render {

namespace {

constexpr const char* absent = "-";

std::string dev_text(DeviceNumber dev) {
    return fmt::format("{}:{}", dev.major, dev.minor);
}

template <typename T>
std::string number_or_absent(const std::optional<T>& value) {
    return value ? fmt::format("{}", *value) : absent;
}

json::Value hist_json(const LatencyBuckets& hist) {
    json::Array counts;
    for (const auto count : hist) {
        counts.emplace_back(count);
    }
    return counts;
}

json::Value contender_json(const std::optional<latency::Contender>& contender) {
    if (!contender) {
        return {};
    }
    return json::Object{
        {"pid", contender->pid},
        {"comm", contender->comm},
        {"cgroup", json::Value::optional(contender->cgroup)},
        {"cpu_weight", json::Value::optional(contender->cpu_weight)},
    };
}

std::string contender_text(const std::optional<latency::Contender>& contender) {
    if (!contender) {
        return absent;
    }
    std::string text =
        fmt::format("{} {} {:.0f}%", contender->pid, contender->comm, contender->cpu_share * 100);
    if (contender->cgroup) {
        text += " " + *contender->cgroup;
    }
    if (contender->cpu_weight) {
        text += fmt::format(" weight {}", *contender->cpu_weight);
        if (contender->weighted_cgroup && contender->weighted_cgroup != contender->cgroup) {
            text += fmt::format(" ({})", *contender->weighted_cgroup);
        }
    }
    return text;
}

} // namespace

std::string watching_text(const WatchState& state, const std::vector<sys::MountInfoEntry>& mounts) {
    std::vector<std::string> parts;
    if (state.all) {
        parts.emplace_back("all");
    }
    for (const auto& dev : state.watched) {
        const auto points = sys::mountpoints_of(mounts, dev.major, dev.minor);
        parts.push_back(points.empty()
                            ? dev_text(dev)
                            : fmt::format("{} ({})", dev_text(dev), join_list(points, " ")));
    }
    return parts.empty() ? "nothing" : join_list(parts, ", ");
}

std::string watch_state_text(const WatchState& state,
                             const std::vector<sys::MountInfoEntry>& mounts) {
    text::Table table({{}, {}});
    table.add_row({"watching", watching_text(state, mounts)});
    table.add_row({"program", state.probes ? "attached" : "not attached"});
    table.add_row({"queued completions", fmt::format("{}", state.probe_hits)});
    table.add_row({"unmatched", fmt::format("{}", state.unmatched)});
    table.add_row({"all completions",
                   state.completed ? fmt::format("{}", *state.completed) : std::string("unknown")});
    table.add_row({"missed", fmt::format("{}", state.missed)});
    return table.render();
}

json::Value watch_state_json(const WatchState& state,
                             const std::vector<sys::MountInfoEntry>& mounts) {
    json::Array watched;
    for (const auto& dev : state.watched) {
        watched.emplace_back(json::Object{
            {"dev", dev_text(dev)},
            {"mountpoints",
             json::Value::strings(sys::mountpoints_of(mounts, dev.major, dev.minor))},
        });
    }
    return json::Object{
        {"probes", state.probes},
        {"all", state.all},
        {"watched", watched},
        {"probe_ns", state.probe_ns},
        {"probe_hits", state.probe_hits},
        {"unmatched", state.unmatched},
        {"completed", state.completed ? json::Value(*state.completed) : json::Value()},
        {"missed", state.missed},
    };
}

std::string top_frame_text(const TopFrame& frame) {
    using text::Align;
    std::string out = fmt::format(
        "dio write completions per CPU: queued -> running, over {:.1f} s; watching {}\n\n",
        frame.seconds, frame.watching);
    text::Table table({{"CPU", Align::right},
                       {"COMPL/S", Align::right},
                       {"P50", Align::right},
                       {"P99", Align::right},
                       {"MAX", Align::right},
                       {"QUEUE"},
                       {"NICE", Align::right}});
    bool restarted = false;
    for (const auto& row : frame.cpus) {
        const auto& s = row.summary;
        table.add_row({fmt::format("{}{}", s.cpu, row.online ? "" : " (offline)"),
                       latency::format_rate(s.per_second), latency::format_ns(s.p50_ns),
                       latency::format_ns(s.p99_ns), latency::format_ns(s.max_ns),
                       row.queue.value_or(absent), number_or_absent(row.worker_nice)});
        restarted = restarted || row.restarted;
    }
    out += table.render();
    if (restarted) {
        out += "(the program was attached again during this interval: it counts from then)\n";
    }
    return out;
}

json::Value top_frame_json(const TopFrame& frame) {
    json::Array cpus;
    for (const auto& row : frame.cpus) {
        const auto& s = row.summary;
        cpus.emplace_back(json::Object{
            {"cpu", s.cpu},
            {"online", row.online},
            {"completions", s.completions},
            {"per_second", s.per_second},
            {"p50_ns", json::Value::optional(s.p50_ns)},
            {"p99_ns", json::Value::optional(s.p99_ns)},
            {"max_ns", json::Value::optional(s.max_ns)},
            {"queue", json::Value::optional(row.queue)},
            {"worker_pid", json::Value::optional(row.worker_pid)},
            {"worker_nice", json::Value::optional(row.worker_nice)},
        });
    }
    return json::Object{{"seconds", frame.seconds}, {"watching", frame.watching}, {"cpus", cpus}};
}

std::string diagnosis_text(const latency::Diagnosis& diagnosis) {
    using text::Align;
    const bool starved = diagnosis.verdict == latency::Verdict::starved;
    std::vector<text::Column> columns{{"CPU", Align::right}, {"COMPLETIONS", Align::right},
                                      {"P50", Align::right}, {"P99", Align::right},
                                      {"MAX", Align::right}, {"QUEUE"},
                                      {"NICE", Align::right}};
    if (starved) {
        columns.push_back({"BUSIEST PROCESS (STARVED CPUS)"});
    }
    text::Table table(std::move(columns));
    bool any = false;
    for (const auto& report : diagnosis.cpus) {
        const auto& s = report.summary;
        if (s.completions == 0) {
            continue;
        }
        any = true;
        std::vector<std::string> row{fmt::format("{}", s.cpu),
                                     fmt::format("{}", s.completions),
                                     latency::format_ns(s.p50_ns),
                                     latency::format_ns(s.p99_ns),
                                     latency::format_ns(s.max_ns),
                                     report.queue.value_or(absent),
                                     number_or_absent(report.worker_nice)};
        if (starved) {
            row.push_back(report.starved ? contender_text(report.contender) : "");
        }
        table.add_row(std::move(row));
    }
    std::string out = any ? table.render() + "\n" : std::string();
    if (!diagnosis.filesystems.empty()) {
        text::Table shares({{"FILESYSTEM"},
                            {"QUEUED", Align::right},
                            {"ALL COMPLETIONS", Align::right},
                            {"QUEUED SHARE", Align::right}});
        for (const auto& fs : diagnosis.filesystems) {
            const auto share = fs.share();
            shares.add_row({dev_text(fs.dev), fmt::format("{}", fs.queued),
                            number_or_absent(fs.completed),
                            share ? fmt::format("{:.1f}%", *share * 100) : absent});
        }
        out += shares.render() + "\n";
    }
    return out + diagnosis.message + "\n";
}

json::Value diagnosis_json(const latency::Diagnosis& diagnosis) {
    json::Array cpus;
    for (const auto& report : diagnosis.cpus) {
        const auto& s = report.summary;
        cpus.emplace_back(json::Object{
            {"cpu", s.cpu},
            {"completions", s.completions},
            {"per_second", s.per_second},
            {"p50_ns", json::Value::optional(s.p50_ns)},
            {"p99_ns", json::Value::optional(s.p99_ns)},
            {"max_ns", json::Value::optional(s.max_ns)},
            {"hist", hist_json(report.hist)},
            {"queue", json::Value::optional(report.queue)},
            {"worker_pid", json::Value::optional(report.worker_pid)},
            {"worker_nice", json::Value::optional(report.worker_nice)},
            {"contender", contender_json(report.contender)},
        });
    }
    json::Array filesystems;
    for (const auto& fs : diagnosis.filesystems) {
        filesystems.emplace_back(json::Object{
            {"dev", dev_text(fs.dev)},
            {"queued", fs.queued},
            {"completed", json::Value::optional(fs.completed)},
            {"queued_share", json::Value::optional(fs.share())},
        });
    }
    return json::Object{
        {"verdict", latency::verdict_name(diagnosis.verdict)},
        {"seconds", diagnosis.seconds},
        {"cpus", cpus},
        {"filesystems", filesystems},
        {"message", diagnosis.message},
    };
}

} // namespace diowq::render
