// SPDX-License-Identifier: GPL-2.0
#include "bench/pods.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::bench {

namespace {

std::optional<std::string> read_small(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

std::optional<std::map<pid_t, std::uint64_t>> read_kworker_runtime(const std::string& proc) {
    std::map<pid_t, std::uint64_t> runtime;
    bool any_kworker = false;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(proc, ec)) {
        const std::string name = entry.path().filename().string();
        pid_t pid = 0;
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        pid = pid_t(std::stol(name));
        const auto comm = read_small(entry.path().string() + "/comm");
        if (!comm || !comm->starts_with("kworker/")) {
            continue;
        }
        any_kworker = true;
        const auto schedstat = read_small(entry.path().string() + "/schedstat");
        if (!schedstat) {
            continue; // gone meanwhile, or no CONFIG_SCHED_INFO
        }
        std::uint64_t ns = 0;
        if (std::istringstream(*schedstat) >> ns) {
            runtime[pid] = ns;
        }
    }
    if (!any_kworker || runtime.empty()) {
        return std::nullopt;
    }
    return runtime;
}

double kworker_seconds_between(const std::map<pid_t, std::uint64_t>& before,
                               const std::map<pid_t, std::uint64_t>& after) {
    std::uint64_t ns = 0;
    for (const auto& [pid, now] : after) {
        const auto it = before.find(pid);
        const std::uint64_t then = it == before.end() ? 0 : it->second;
        // A pid reused by a new kworker starts below its predecessor's count.
        ns += now >= then ? now - then : now;
    }
    return double(ns) / 1e9;
}

NeighbourHog::NeighbourHog(const CgroupFs& fs, const std::string& group, unsigned cpu) {
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) {
        throw Failure(fmt::format("cannot start the neighbour (fork): {}", std::strerror(errno)));
    }
    if (pid_ == 0) {
        // The child: only async-signal-safe calls. It dies with the bench, whatever happens.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(1);
        }
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (sched_setaffinity(0, sizeof(one), &one) != 0) {
            _exit(1);
        }
        volatile std::uint64_t spins = 0;
        for (;;) {
            spins = spins + 1;
        }
    }
    try {
        fs.write(cgroup_join(group, "cgroup.procs"), std::to_string(pid_));
    } catch (...) {
        stop();
        throw;
    }
}

NeighbourHog::~NeighbourHog() {
    stop();
}

void NeighbourHog::stop() noexcept {
    if (pid_ <= 0) {
        return;
    }
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

IsolationPods::IsolationPods(const CgroupFs& fs, const BenchCgroup& pod_a, const BenchCgroup& pod_b,
                             unsigned cpu, IsolationOptions options, Warn warn)
    : fs_(fs)
    , pod_a_(pod_a)
    , pod_b_(pod_b)
    , cpu_(cpu)
    , options_(options)
    , warn_(std::move(warn)) {}

void IsolationPods::run_begin(const Configuration& configuration) {
    capped_ = configuration.capped;
    fs_.write(cgroup_join(pod_a_.level_path(0), "cpu.max"),
              capped_ ? options_.cpu_max.text() : std::string("max"));
    hog_ = std::make_unique<NeighbourHog>(fs_, pod_b_.path(), cpu_);
}

CpuStat IsolationPods::stat(const BenchCgroup& pod) const {
    // The pod's top: everything below it (the load's container, mode cgroup's leaf) counts.
    const std::string file = cgroup_join(pod.level_path(0), "cpu.stat");
    try {
        return parse_cpu_stat(fs_.read(file));
    } catch (const std::invalid_argument& e) {
        throw Failure(fmt::format("{}: {}", fs_.absolute(file), e.what()));
    }
}

void IsolationPods::measure_begin() {
    kworkers_start_ = read_kworker_runtime();
    a_start_ = stat(pod_a_);
    b_start_ = stat(pod_b_);
    start_ = std::chrono::steady_clock::now();
}

void IsolationPods::measure_end(RunRecord& record) {
    const auto end = std::chrono::steady_clock::now();
    const CpuStat a = stat(pod_a_);
    const CpuStat b = stat(pod_b_);
    const auto kworkers = read_kworker_runtime();
    IsolationSample sample;
    sample.wall_s = std::chrono::duration<double>(end - start_).count();
    sample.pod_a_cpu_s = double(a.usage_us - a_start_.usage_us) / 1e6;
    sample.pod_b_cpu_s = double(b.usage_us - b_start_.usage_us) / 1e6;
    sample.throttled_s = double(a.throttled_us - a_start_.throttled_us) / 1e6;
    sample.nr_throttled = a.nr_throttled - a_start_.nr_throttled;
    if (kworkers_start_ && kworkers) {
        sample.kworker_cpu_s = kworker_seconds_between(*kworkers_start_, *kworkers);
    }
    const std::optional<CpuMax> cap =
        capped_ ? std::optional(options_.cpu_max) : std::optional<CpuMax>();
    sample.cap_cpus = cap ? std::optional(cap->cpus()) : std::nullopt;
    sample.fair_share =
        neighbour_fair_share(pod_a_.levels().front().weight, pod_b_.levels().front().weight, cap);
    record.isolation = sample;
}

void IsolationPods::run_end() noexcept {
    hog_.reset();
    try {
        fs_.write(cgroup_join(pod_a_.level_path(0), "cpu.max"), "max");
    } catch (const std::exception& e) {
        if (warn_) {
            warn_(e.what());
        }
    }
}

} // namespace diowq::bench
