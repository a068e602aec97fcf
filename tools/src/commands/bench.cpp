// SPDX-License-Identifier: GPL-2.0
// `diowqctl bench`: checks the target and the machine, builds the bench's resources (file,
// cgroup, tuning, counters), runs the matrix, reports. Every resource is an object whose
// destructor puts the machine back, so an error or Ctrl-C (which stops the engine) unwinds
// through the same cleanup.
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bench/cgroup.hpp"
#include "bench/cpu_counters.hpp"
#include "bench/dispatch.hpp"
#include "bench/jobs.hpp"
#include "bench/kubernetes.hpp"
#include "bench/plot.hpp"
#include "bench/pods.hpp"
#include "bench/progress.hpp"
#include "bench/report_json.hpp"
#include "bench/report_table.hpp"
#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "bench/targets.hpp"
#include "bench/testfile.hpp"
#include "bench/tuning.hpp"
#include "commands/commands.hpp"
#include "errors.hpp"
#include "system/cgroup_dir.hpp"
#include "system/cpulist.hpp"
#include "system/mount_root.hpp"
#include "system/mountinfo.hpp"

namespace diowq::commands {

namespace {

std::atomic<bool> stop_requested{false};
volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int signal) {
    stop_signal = signal;
    stop_requested.store(true);
}

// SIGINT, SIGTERM and SIGHUP stop the bench (the engine sees the flag, or its io_getevents is
// interrupted) instead of killing it, so that the cleanup runs; the old handlers come back after.
class StopOnSignals {
public:
    StopOnSignals() {
        stop_requested.store(false);
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0; // no SA_RESTART: blocking calls return EINTR
        for (std::size_t i = 0; i < std::size(signals_); ++i) {
            sigaction(signals_[i], &action, &saved_[i]);
        }
    }
    StopOnSignals(const StopOnSignals&) = delete;
    StopOnSignals& operator=(const StopOnSignals&) = delete;
    ~StopOnSignals() {
        for (std::size_t i = 0; i < std::size(signals_); ++i) {
            sigaction(signals_[i], &saved_[i], nullptr);
        }
    }

private:
    static constexpr int signals_[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction saved_[std::size(signals_)]{};
};

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
        throw Failure(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
}

// The CPUs this process may run on.
std::vector<unsigned> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        throw Failure(fmt::format("sched_getaffinity: {}", std::strerror(errno)));
    }
    std::vector<unsigned> cpus;
    for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &set)) {
            cpus.push_back(cpu);
        }
    }
    return cpus;
}

struct Directory {
    struct statx stx {};
    const sys::MountInfoEntry* mount = nullptr;
};

Directory inspect_directory(const std::string& directory,
                            const std::vector<sys::MountInfoEntry>& mounts) {
    Directory target;
    if (statx(AT_FDCWD, directory.c_str(), 0, STATX_BASIC_STATS | STATX_MNT_ID, &target.stx) != 0) {
        throw Failure(fmt::format("{}: {}", directory, std::strerror(errno)));
    }
    if (!S_ISDIR(target.stx.stx_mode)) {
        throw Failure(fmt::format("{}: not a directory (name a directory on the filesystem to "
                                  "test; the file is created in it)",
                                  directory));
    }
    for (const auto& mount : mounts) {
        if ((target.stx.stx_mask & STATX_MNT_ID) && mount.mount_id == target.stx.stx_mnt_id) {
            target.mount = &mount;
        }
    }
    if (target.mount == nullptr) {
        throw Failure(fmt::format("{}: cannot find its mount in /proc/self/mountinfo", directory));
    }
    return target;
}

// On the way out, also by an exception: the filesystem leaves mode cgroup (waiting for its leaf)
// before pod A, which holds the leaf, is removed; FilesystemTuning puts the original tuning back
// later.
class LeaveCgroupMode {
public:
    // `tuning` may be reset meanwhile (the normal way out puts it back before this ends).
    LeaveCgroupMode(const std::unique_ptr<bench::FilesystemTuning>& tuning, bool active)
        : tuning_(tuning)
        , active_(active) {}
    LeaveCgroupMode(const LeaveCgroupMode&) = delete;
    LeaveCgroupMode& operator=(const LeaveCgroupMode&) = delete;
    ~LeaveCgroupMode() {
        if (!active_ || !tuning_) {
            return;
        }
        try {
            if (const auto now = tuning_->status(); now && now->mode == Mode::cgroup) {
                tuning_->set(std::nullopt);
            }
        } catch (const std::exception&) {
            // FilesystemTuning's destructor tries again and warns.
        }
    }

private:
    const std::unique_ptr<bench::FilesystemTuning>& tuning_;
    bool active_;
};

bool needs(const bench::BenchOptions& options, auto predicate) {
    return std::any_of(options.configurations.begin(), options.configurations.end(), predicate);
}

} // namespace

int run_bench(const bench::BenchOptions& options, const OutputSink& sink) {
    using namespace bench;
    if (geteuid() != 0) {
        throw Failure("bench needs root: it creates a cgroup, pins and renices, opens per-CPU "
                      "counters and tunes; run diowqctl as root");
    }
    const auto mounts = sys::read_mountinfo();
    const Directory target = inspect_directory(options.directory, mounts);
    const auto warn = [&sink](const std::string& message) {
        sink.err << "diowqctl: warning: " << message << '\n';
    };

    BenchSetup setup;
    setup.options = options;
    setup.tool_version = DIOWQ_VERSION;
    utsname uts{};
    uname(&uts);
    setup.kernel = uts.release;
    setup.online_cpus = unsigned(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    const auto cpus = allowed_cpus();
    setup.cpu = options.cpu.value_or(cpus.empty() ? 0 : cpus.back());
    if (std::find(cpus.begin(), cpus.end(), setup.cpu) == cpus.end()) {
        throw Failure(fmt::format("--cpu {}: not a CPU this process may run on ({})", setup.cpu,
                                  sys::format_cpulist(cpus)));
    }
    // Checked before anything is created or started.
    try {
        setup.cpus = select_cpus(cpus, setup.cpu, options.jobs);
    } catch (const std::invalid_argument& e) {
        throw Failure(fmt::format("--jobs {}: {}", options.jobs, e.what()));
    }
    setup.weight = options.weight.value_or(auto_weight(setup.online_cpus));
    setup.directory = options.directory;
    setup.mountpoint = target.mount->mount_point;
    setup.fstype = target.mount->fstype;
    setup.source = target.mount->source;
    setup.irq_name = interrupt_name_of(target.stx.stx_dev_major, target.stx.stx_dev_minor);
    setup.write_cache = write_cache_of(target.stx.stx_dev_major, target.stx.stx_dev_minor);

    const bool any_inside =
        needs(options, [](const Configuration& c) { return c.placement == Placement::inside; });
    const bool any_tuned =
        needs(options, [](const Configuration& c) { return diowq_mode(c).has_value(); });

    // Declared first: detached last, after the tuning is put back.
    std::unique_ptr<DispatchWatch> dispatch;
    // diowq: needed to tune; also when it is merely loaded, to keep the _off runs untuned.
    std::unique_ptr<FilesystemTuning> tuning;
    const bool supported = setup.fstype == "xfs" || setup.fstype == "ext4";
    if (any_tuned && !supported) {
        throw Failure(fmt::format("{}: {} is not a filesystem diowq tunes (xfs, ext4); run only "
                                  "untuned configurations here (_off, _renice, outside_unwatched)",
                                  options.directory, setup.fstype));
    }
    if (supported) {
        try {
            tuning = std::make_unique<FilesystemTuning>(
                sys::open_mount_root(setup.mountpoint, mounts), warn);
            setup.module_version = tuning->module_version();
            setup.diowq_before = tuning->original();
        } catch (const nl::ModuleNotLoaded& e) {
            if (any_tuned) {
                throw Failure(fmt::format("{}; or leave the _on configurations out", e.what()));
            }
        }
    }

    // Dispatch latency: the BPF program attached once, now, before the file is laid out and any
    // run starts, and not touched again until the bench ends (bench/dispatch.hpp says why).
    if (!options.latency) {
        setup.dispatch_unavailable = "not recorded (--no-latency)";
    } else {
        dispatch = std::make_unique<DispatchWatch>(warn);
        if (dispatch->available()) {
            setup.dispatch_available = true;
        } else {
            setup.dispatch_unavailable = dispatch->why();
            dispatch.reset();
        }
    }

    std::unique_ptr<CgroupFs> cgroup_fs;
    std::unique_ptr<BenchCgroup> cgroup; // --isolation: pod A
    // --isolation: pod B, the run hooks, and pod A opened for mode cgroup's tune requests.
    std::unique_ptr<BenchCgroup> neighbour;
    std::unique_ptr<IsolationPods> pods;
    sys::UniqueFd pod_a_dir;
    const LeaveCgroupMode leave_cgroup_mode(tuning, options.isolation.has_value());
    if (any_inside) {
        const auto root = find_cgroup2_mount(mounts);
        if (!root) {
            throw Failure(
                "no cgroup2 filesystem is mounted (mount -t cgroup2 none /sys/fs/cgroup)");
        }
        const std::string home = parse_proc_cgroup(read_text("/proc/self/cgroup"));
        cgroup_fs = std::make_unique<CgroupFs>(*root);
        const std::string name = fmt::format("diowq-bench-{}", getpid());
        std::vector<CgroupLevel> levels{{name, setup.weight, "load", std::nullopt}};
        if (options.hierarchy != Hierarchy::flat) {
            // kubelet's cgroupfs names below a top of our own: a real node's kubepods stays
            // untouched.
            const std::uint64_t seed =
                (std::uint64_t(getpid()) << 32) ^ std::uint64_t(time(nullptr));
            levels = kubernetes_levels(options.hierarchy, setup.node_cpus(), name + "-kubepods",
                                       pod_uid_from(seed), container_id_from(seed));
        }
        cgroup =
            std::make_unique<BenchCgroup>(*cgroup_fs, options.cgroup_parent, levels, home, warn);
        setup.weight = cgroup->weight();
        setup.cgroup = cgroup_fs->absolute(cgroup->path());
        setup.home_cgroup = cgroup_fs->absolute(home);
        for (std::size_t level = 0; level < cgroup->levels().size(); ++level) {
            setup.cgroup_levels.push_back(
                {cgroup_fs->absolute(cgroup->level_path(level)), cgroup->levels()[level]});
        }
    } else if (options.isolation) {
        // Pod A (the load) and pod B (the neighbour), side by side below --cgroup-parent.
        const auto root = find_cgroup2_mount(mounts);
        if (!root) {
            throw Failure(
                "no cgroup2 filesystem is mounted (mount -t cgroup2 none /sys/fs/cgroup)");
        }
        const std::string home = parse_proc_cgroup(read_text("/proc/self/cgroup"));
        cgroup_fs = std::make_unique<CgroupFs>(*root);
        const std::string name = fmt::format("diowq-bench-{}", getpid());
        // Pod A as Kubernetes makes one: the pod, and the load's container below it, both
        // weighted --weight; mode cgroup's leaf goes next to the container.
        cgroup = std::make_unique<BenchCgroup>(
            *cgroup_fs, options.cgroup_parent,
            std::vector<CgroupLevel>{{name + "-podA", setup.weight, "pod", std::nullopt},
                                     {"load", setup.weight, "container", std::nullopt}},
            home, warn);
        const unsigned neighbour_weight = options.isolation->neighbour_weight != 0
                                              ? options.isolation->neighbour_weight
                                              : setup.weight;
        neighbour = std::make_unique<BenchCgroup>(*cgroup_fs, options.cgroup_parent, name + "-podB",
                                                  neighbour_weight, home, warn);
        setup.cgroup = cgroup_fs->absolute(cgroup->level_path(0));
        setup.home_cgroup = cgroup_fs->absolute(home);
        setup.neighbour_cgroup = cgroup_fs->absolute(neighbour->path());
        setup.neighbour_weight = neighbour_weight;
        for (std::size_t level = 0; level < cgroup->levels().size(); ++level) {
            setup.cgroup_levels.push_back(
                {cgroup_fs->absolute(cgroup->level_path(level)), cgroup->levels()[level]});
        }
        pods = std::make_unique<IsolationPods>(*cgroup_fs, *cgroup, *neighbour, setup.cpu,
                                               *options.isolation, warn);
        if (tuning) {
            pod_a_dir = sys::open_cgroup_dir(setup.cgroup);
            tuning->set_cgroup(CgroupRequest{pod_a_dir.get(), options.isolation->leaf_weight});
        }
    } else if (const auto root = find_cgroup2_mount(mounts)) {
        try {
            setup.home_cgroup =
                CgroupFs(*root).absolute(parse_proc_cgroup(read_text("/proc/self/cgroup")));
        } catch (const Failure&) {
            // Only informative here.
        }
    }

    // On every job's CPU.
    std::vector<std::unique_ptr<ContextSwitchCounter>> switch_counters;
    std::vector<const ContextSwitchCounter*> switches;
    for (const unsigned cpu : setup.cpus) {
        switch_counters.push_back(std::make_unique<ContextSwitchCounter>(cpu));
        const auto& counter = *switch_counters.back();
        if (!counter.available()) {
            setup.switches_unavailable = counter.why();
            switches.clear();
            break;
        }
        setup.switches_source = counter.source();
        switches.push_back(&counter);
    }
    if (setup.switches_unavailable) {
        setup.switches_source.reset();
    }

    const StopOnSignals signals;
    const auto per_run = options.engine.runtime + options.engine.ramp;
    ProgressDisplay progress(sink.err, resolve_progress(options.progress, STDERR_FILENO), per_run);
    const TestFile::Progress layout_progress =
        [&progress](std::uint64_t done, std::uint64_t total) { progress.layout(done, total); };

    std::vector<RunRecord> records;
    {
        // A file per job, each --size.
        std::vector<std::unique_ptr<TestFile>> files;
        std::vector<TestFile*> file_parts;
        try {
            for (unsigned job = 0; job < setup.cpus.size(); ++job) {
                files.push_back(std::make_unique<TestFile>(
                    options.directory, options.file_size, options.pattern, stop_requested,
                    layout_progress, test_file_suffix(job, unsigned(setup.cpus.size()))));
                file_parts.push_back(files.back().get());
                setup.files.push_back(files.back()->path());
            }
        } catch (const Failure&) {
            if (!stop_requested.load()) {
                throw;
            }
            file_parts.clear();
        }
        if (!file_parts.empty()) {
            setup.file = file_parts.front()->path();
            records = run_matrix(
                setup,
                {file_parts, tuning.get(), cgroup.get(), switches, dispatch.get(), pods.get()},
                progress, stop_requested);
        }
    }
    // Put the machine back before the report, so that its warnings come first.
    const bool interrupted = stop_requested.load();
    // The tuning first: leaving mode cgroup waits for its leaf below pod A.
    tuning.reset();
    pods.reset();
    pod_a_dir = sys::UniqueFd();
    neighbour.reset();
    cgroup.reset();
    dispatch.reset();

    const auto summaries = summarize(options.configurations, records, setup.cpus);
    const auto targets = evaluate_targets(summaries);
    const json::Value document = report_json(setup, records, summaries, targets, interrupted);
    if (options.json_file) {
        write_text(*options.json_file, document.dump(true) + "\n");
    }
    if (options.plot_file) {
        write_text(*options.plot_file, iops_svg(setup, records, summaries));
        if (setup.dispatch_available) {
            write_text(latency_plot_path(*options.plot_file), dispatch_svg(setup, summaries));
        }
    }
    if (sink.json()) {
        sink.print_json(document);
    } else if (!records.empty()) {
        sink.print_text(report_text(setup, records, summaries, targets));
    }
    if (interrupted) {
        const int signal = stop_signal;
        throw Failure(fmt::format("interrupted by {} after {} of {} runs; what the bench changed "
                                  "was put back",
                                  signal == SIGINT    ? "SIGINT"
                                  : signal == SIGTERM ? "SIGTERM"
                                                      : "SIGHUP",
                                  records.size(), options.configurations.size() * options.repeat));
    }
    return exit_ok;
}

} // namespace diowq::commands
