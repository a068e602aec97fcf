// SPDX-License-Identifier: GPL-2.0
#include <chrono>
#include <iostream>
#include <optional>

#include <unistd.h>

#include <fmt/format.h>

#include "bench/cgroup.hpp"
#include "commands/commands.hpp"
#include "commands/latency_session.hpp"
#include "errors.hpp"
#include "latency/diagnosis.hpp"
#include "latency/queue.hpp"
#include "output/latency_render.hpp"
#include "system/cgroup_weight.hpp"
#include "system/cpu_usage.hpp"
#include "system/mount_root.hpp"
#include "system/mountinfo.hpp"
#include "system/stop_signals.hpp"
#include "system/terminal.hpp"

namespace diowq::commands {

namespace {

// "sampling 3/5 s" redrawn in place on a terminal; one line up front elsewhere.
class SamplingProgress {
public:
    SamplingProgress(std::ostream& err, unsigned seconds, const std::string& what)
        : err_(err)
        , seconds_(seconds)
        , redraw_(&err == &std::cerr && sys::redrawable_terminal(STDERR_FILENO)) {
        if (!redraw_) {
            err_ << fmt::format("diowqctl: sampling dispatch latency of {} for {} s\n", what,
                                seconds_);
        }
        update(0);
    }
    ~SamplingProgress() {
        if (redraw_) {
            err_ << "\r\x1b[K" << std::flush;
        }
    }
    SamplingProgress(const SamplingProgress&) = delete;
    SamplingProgress& operator=(const SamplingProgress&) = delete;

    void update(unsigned done) {
        if (redraw_) {
            err_ << fmt::format("\rdiowqctl: sampling dispatch latency... {}/{} s", done, seconds_)
                 << std::flush;
        }
    }

private:
    std::ostream& err_;
    unsigned seconds_;
    bool redraw_;
};

// Neither the completion workers themselves nor this process contend.
bool not_a_contender(const sys::TaskSample& task, pid_t self) {
    if (task.tgid == self) {
        return true;
    }
    const auto queue = latency::worker_queue(task.comm);
    return queue && latency::is_dio_queue(*queue);
}

std::optional<latency::Contender> contender_on(unsigned cpu, const sys::CpuUsage& usage,
                                               double seconds, const std::string& cgroup_root) {
    const auto top = usage.top(cpu);
    if (!top) {
        return std::nullopt;
    }
    latency::Contender contender;
    contender.pid = top->pid;
    contender.comm = top->comm;
    contender.cpu_share =
        seconds > 0 ? std::min(1.0, static_cast<double>(top->runtime_ns) / (seconds * 1e9)) : 0;
    if (const auto group = sys::read_cgroup_weight(top->pid, cgroup_root)) {
        contender.cgroup = group->cgroup;
        contender.weighted_cgroup = group->weighted;
        contender.cpu_weight = group->weight;
    }
    return contender;
}

// Where to tune: the PATH given, else where the starved CPUs' filesystems are mounted.
std::vector<std::string> tune_paths(const std::optional<std::string>& path,
                                    const std::vector<latency::CpuReport>& reports,
                                    const std::vector<sys::MountInfoEntry>& mounts) {
    if (path) {
        return {*path};
    }
    std::vector<std::string> paths;
    for (const auto& dev : latency::starved_devices(reports)) {
        const auto points = sys::mountpoints_of(mounts, dev.major, dev.minor);
        if (!points.empty()) {
            paths.push_back(points.front());
        }
    }
    return paths;
}

} // namespace

int run_diagnose(const cli::DiagnoseOptions& options, const OutputSink& sink) {
    const auto mounts = sys::read_mountinfo();
    std::optional<sys::MountRoot> root;
    if (options.path) {
        root = sys::open_mount_root(*options.path, mounts);
    }
    std::optional<DeviceNumber> only;
    if (root) {
        only = DeviceNumber{root->dev_major, root->dev_minor};
    }
    LatencySource source;
    source.report_gaps(sink.err);
    sys::StopSignals stop;
    const pid_t self = getpid();
    sys::CpuUsage usage(
        [self](const sys::TaskSample& task) { return not_a_contender(task, self); });

    std::optional<latency::Snapshot> start;
    {
        SamplingProgress progress(sink.err, options.seconds,
                                  options.path ? *options.path : "every filesystem");
        auto tasks = sys::read_tasks();
        start = source.read(only);
        for (unsigned second = 1; second <= options.seconds; ++second) {
            if (!stop.sleep_for(std::chrono::seconds(1))) {
                throw Failure(fmt::format(
                    "interrupted: no verdict{}",
                    source.attached_here() ? "; the probe diagnose attached is detached" : ""));
            }
            auto now = sys::read_tasks();
            usage.add(tasks, now);
            tasks = std::move(now);
            progress.update(second);
        }
    }
    const latency::Snapshot end = source.read(only);

    const double seconds = latency::seconds_between(*start, end);
    const auto window = latency::difference(*start, end);
    auto reports = latency::assess(window, seconds, options.threshold_ns);
    const auto tuned = tuned_superblocks(sink);
    const std::string cgroup_root = bench::find_cgroup2_mount(mounts).value_or("");
    for (std::size_t i = 0; i < reports.size(); ++i) {
        reports[i].queue = queue_of(window[i], tuned);
        if (reports[i].starved) {
            reports[i].contender =
                contender_on(reports[i].summary.cpu, usage, seconds, cgroup_root);
        }
    }
    const auto paths = tune_paths(options.path, reports, mounts);
    auto shares = source.shares();
    if (only) {
        std::erase_if(shares, [&only](const auto& share) { return share.dev != *only; });
    }
    const auto diagnosis = latency::conclude(std::move(reports), std::move(shares), options.seconds,
                                             options.threshold_ns, paths);
    if (sink.json()) {
        sink.print_json(render::diagnosis_json(diagnosis));
    } else {
        sink.print_text(render::diagnosis_text(diagnosis));
    }
    sink.out.flush();
    return diagnosis.verdict == latency::Verdict::starved ? exit_starved : exit_ok;
}

} // namespace diowq::commands
