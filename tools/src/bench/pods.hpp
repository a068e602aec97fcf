// SPDX-License-Identifier: GPL-2.0
// The isolation bench's system side: pod B's CPU-bound neighbour (a child process pinned to the
// load's CPU, spinning), pod A's cpu.max per configuration, and the counters read around the
// measured window: both pods' cpu.stat and every kworker's run time. A child process, not a
// thread: cgroup v2 keeps all threads of a process in one (domain) cgroup, and the load's
// threads are in pod A.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <sys/types.h>

#include "bench/cgroup.hpp"
#include "bench/isolation.hpp"
#include "bench/runner.hpp"

namespace diowq::bench {

// Each kworker's run time in ns, by pid: /proc/PID/schedstat's first field (the scheduler's
// sum_exec_runtime), for every task whose comm starts with "kworker/". Completions run in
// kworkers in every mode but cgroup, so their time is the CPU the load's completions cost outside
// pod A. nullopt when no kworker's time could be read (no schedstat: CONFIG_SCHED_INFO off).
std::optional<std::map<pid_t, std::uint64_t>>
read_kworker_runtime(const std::string& proc = "/proc");

// The kworkers' CPU time between two readings, in seconds: each kworker's growth (one born
// meanwhile counts from 0; one gone meanwhile is lost, its time since `before` unknowable).
double kworker_seconds_between(const std::map<pid_t, std::uint64_t>& before,
                               const std::map<pid_t, std::uint64_t>& after);

// A process spinning on `cpu` in the cgroup `group` while this lives; killed and reaped after.
class NeighbourHog {
public:
    NeighbourHog(const CgroupFs& fs, const std::string& group, unsigned cpu);
    NeighbourHog(const NeighbourHog&) = delete;
    NeighbourHog& operator=(const NeighbourHog&) = delete;
    ~NeighbourHog();

    pid_t pid() const { return pid_; }

private:
    void stop() noexcept;

    pid_t pid_ = -1;
};

// The RunHooks of --isolation. Pod A is two groups, as a Kubernetes pod: the pod (cpu.max,
// cpu.stat, and the directory mode cgroup makes its leaf in, so it has the cpu controller for its
// children) and the load's container below it (a group with processes cannot enable controllers
// for its children). For a pods configuration, pod A's cpu.max set (capped_) or
// lifted, the neighbour started in pod B before the load and stopped after it, and the sample.
class IsolationPods : public RunHooks {
public:
    using Warn = std::function<void(const std::string&)>;

    IsolationPods(const CgroupFs& fs, const BenchCgroup& pod_a, const BenchCgroup& pod_b,
                  unsigned cpu, IsolationOptions options, Warn warn);

    void run_begin(const Configuration& configuration) override;
    void measure_begin() override;
    void measure_end(RunRecord& record) override;
    void run_end() noexcept override;

private:
    CpuStat stat(const BenchCgroup& pod) const;

    const CgroupFs& fs_;
    const BenchCgroup& pod_a_;
    const BenchCgroup& pod_b_;
    unsigned cpu_;
    IsolationOptions options_;
    Warn warn_;
    bool capped_ = false;
    std::unique_ptr<NeighbourHog> hog_;
    std::chrono::steady_clock::time_point start_;
    CpuStat a_start_;
    CpuStat b_start_;
    std::optional<std::map<pid_t, std::uint64_t>> kworkers_start_;
};

} // namespace diowq::bench
