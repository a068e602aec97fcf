// SPDX-License-Identifier: GPL-2.0
#include "latency/diagnosis.hpp"

#include <algorithm>
#include <cmath>

#include <uapi/diowq.h>

#include <fmt/format.h>

#include "latency/format.hpp"

namespace diowq::latency {

namespace {

std::uint64_t p99_of(const CpuReport& report) {
    return report.summary.p99_ns.value_or(0);
}

// Starved CPUs, worst (highest p99) first.
std::vector<const CpuReport*> starved_worst_first(const std::vector<CpuReport>& cpus) {
    std::vector<const CpuReport*> starved;
    for (const auto& report : cpus) {
        if (report.starved) {
            starved.push_back(&report);
        }
    }
    std::stable_sort(starved.begin(), starved.end(),
                     [](const auto* a, const auto* b) { return p99_of(*a) > p99_of(*b); });
    return starved;
}

std::string behind(const std::optional<Contender>& contender) {
    if (!contender) {
        return "with no busy process seen on that CPU";
    }
    const auto percent = static_cast<int>(std::lround(contender->cpu_share * 100));
    std::string text =
        fmt::format("behind pid {} ({}, {}% of the CPU)", contender->pid, contender->comm, percent);
    if (!contender->cgroup) {
        return text;
    }
    if (*contender->cgroup == "/") {
        return text + " in the root cgroup";
    }
    text += " in " + *contender->cgroup;
    const std::string weight = contender->cpu_weight
                                   ? fmt::format("cpu.weight {}", *contender->cpu_weight)
                                   : std::string("no cpu.weight");
    if (!contender->weighted_cgroup) {
        return text;
    }
    if (*contender->weighted_cgroup == *contender->cgroup) {
        return text + (contender->cpu_weight ? " with " + weight : " (" + weight + ")");
    }
    return text + fmt::format(" (under {}, {})", *contender->weighted_cgroup, weight);
}

std::string suggestion(const CpuReport& worst, const std::vector<std::string>& tune_paths) {
    constexpr std::string_view ours = DIOWQ_WQ_PREFIX;
    if (worst.queue && worst.queue->starts_with(ours)) {
        return fmt::format("its completions already run on diowq's queue {}{}; see `diowqctl "
                           "status` (an unbound queue's nice and CPUs can be tuned)",
                           *worst.queue,
                           worst.worker_nice ? fmt::format(" (nice {})", *worst.worker_nice) : "");
    }
    if (tune_paths.empty()) {
        return "tune its filesystem: diowqctl tune MOUNTPOINT";
    }
    std::string command = "diowqctl tune";
    for (const auto& path : tune_paths) {
        command += " " + path;
    }
    return fmt::format("tune {}: {}",
                       tune_paths.size() == 1 ? "this filesystem" : "these filesystems", command);
}

} // namespace

std::string verdict_name(Verdict verdict) {
    switch (verdict) {
    case Verdict::ok:
        return "ok";
    case Verdict::idle:
        return "idle";
    case Verdict::starved:
        return "starved";
    case Verdict::not_affected:
        return "not-affected";
    }
    return "unknown";
}

std::vector<CpuReport> assess(const std::vector<CpuInterval>& window, double seconds,
                              std::uint64_t threshold_ns) {
    std::vector<CpuReport> reports;
    reports.reserve(window.size());
    for (const auto& interval : window) {
        CpuReport report;
        report.summary = summarize(interval, seconds);
        report.hist = interval.hist;
        report.worker_pid = interval.worker_pid;
        report.worker_nice = interval.worker_nice;
        report.dev = interval.dev;
        report.queue = interval.queue;
        report.starved = interval.completions > 0 && p99_of(report) > threshold_ns;
        reports.push_back(std::move(report));
    }
    return reports;
}

std::vector<DeviceNumber> starved_devices(const std::vector<CpuReport>& cpus) {
    std::vector<DeviceNumber> devices;
    for (const auto* report : starved_worst_first(cpus)) {
        if (report->dev &&
            std::find(devices.begin(), devices.end(), *report->dev) == devices.end()) {
            devices.push_back(*report->dev);
        }
    }
    return devices;
}

Diagnosis conclude(std::vector<CpuReport> cpus, std::vector<QueuedShare> filesystems,
                   unsigned seconds, std::uint64_t threshold_ns,
                   const std::vector<std::string>& tune_paths) {
    Diagnosis diagnosis;
    diagnosis.seconds = seconds;
    std::uint64_t unqueued_completions = 0;
    for (const auto& fs : filesystems) {
        if (fs.completed) {
            unqueued_completions += *fs.completed - std::min(*fs.completed, fs.queued);
        }
    }
    const auto starved = starved_worst_first(cpus);
    // The CPU with the highest p99 among those that ran completions.
    const CpuReport* busiest = nullptr;
    for (const auto& report : cpus) {
        if (report.summary.completions > 0 && (!busiest || p99_of(report) > p99_of(*busiest))) {
            busiest = &report;
        }
    }

    if (!starved.empty()) {
        const CpuReport& worst = *starved.front();
        std::string text = fmt::format("starved: dio completions on CPU {} wait p99 {} (max {}) {}",
                                       worst.summary.cpu, format_ns(worst.summary.p99_ns),
                                       format_ns(worst.summary.max_ns), behind(worst.contender));
        for (std::size_t i = 1; i < starved.size(); ++i) {
            text += fmt::format("{} CPU {} p99 {}", i == 1 ? ", and on" : ",",
                                starved[i]->summary.cpu, format_ns(starved[i]->summary.p99_ns));
        }
        diagnosis.verdict = Verdict::starved;
        diagnosis.message = text + ": " + suggestion(worst, tune_paths);
    } else if (busiest != nullptr) {
        diagnosis.verdict = Verdict::ok;
        diagnosis.message = fmt::format(
            "ok: dio completions wait p99 at most {} (CPU {}, max {}) in {} s, under the {} "
            "threshold",
            format_ns(busiest->summary.p99_ns), busiest->summary.cpu,
            format_ns(busiest->summary.max_ns), seconds, format_ns(threshold_ns));
    } else if (unqueued_completions > 0) {
        diagnosis.verdict = Verdict::not_affected;
        diagnosis.message = fmt::format(
            "not-affected: {} direct-I/O write completions in {} s ran without a queue: this "
            "kernel does not queue this write pattern, so it cannot starve it",
            unqueued_completions, seconds);
    } else {
        diagnosis.verdict = Verdict::idle;
        diagnosis.message = fmt::format("idle: no direct-I/O write completions in {} s", seconds);
    }
    diagnosis.cpus = std::move(cpus);
    diagnosis.filesystems = std::move(filesystems);
    return diagnosis;
}

} // namespace diowq::latency
