// SPDX-License-Identifier: GPL-2.0
// The matrix: every configuration `repeat` times, interleaved (round r runs the configurations
// in the given order rotated by r, so that none always runs first or right after another), in
// one go, each job on its file and its pinned CPU (one of each unless --jobs). Around each run it
// applies the configuration (diowq's tuning, the kworkers' nice, the cgroup), counts what happens
// on the CPU while the engine measures, and puts everything back.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/block_device.hpp"
#include "bench/cgroup.hpp"
#include "bench/configuration.hpp"
#include "bench/dispatch.hpp"
#include "bench/engine.hpp"
#include "bench/isolation.hpp"
#include "bench/options.hpp"
#include "model/model.hpp"

namespace diowq::bench {

// Which configuration (index into the list) runs in which round, in running order.
std::vector<std::pair<std::size_t, unsigned>> interleave(std::size_t configurations,
                                                         unsigned repeat);

// The module's completions of a window against the engine's writes (see completion_check()).
struct CompletionCheck {
    std::uint64_t engine_writes = 0;      // reaped in the engine's measured window, all jobs
    std::uint64_t module_completions = 0; // measured + unmatched, in the module's window
    std::uint64_t slack = 0;              // how many more than the writes are allowed
    double queued_share = 0;              // module_completions / engine_writes
    bool ok = true;
};

// One run of one configuration.
struct RunRecord {
    std::string configuration;
    unsigned round = 0;                        // 0-based repeat of this configuration
    unsigned sequence = 0;                     // 0-based position in the whole bench
    EngineResult engine;                       // all jobs together (merge_jobs): the run's totals
    std::vector<EngineResult> jobs;            // each job's own, job 0 first (one with --jobs 1)
    std::optional<std::uint64_t> cpu_switches; // on the load's CPUs while measuring
    std::vector<std::uint64_t> interrupts;     // the device's, per CPU, while measuring
    std::optional<SuperblockStatus> diowq;     // the module's view after the run; tuned only
    std::size_t reniced = 0;                   // kworkers reniced before the run
    std::optional<std::size_t> not_reniced;    // kworkers of the CPU not at -20 when it ended
    std::optional<DispatchWindow> dispatch;    // dispatch latency, while measuring
    std::optional<CompletionCheck> check;      // completion_check() of the run
    std::optional<IsolationSample> isolation;  // the pods' CPU (--isolation)

    std::optional<double> switches_per_io() const;
    double cpu_us_per_io() const;
    // The share of the device's interrupts the load's CPU (CPUs) took; nullopt when unknown.
    std::optional<double> interrupt_share(unsigned cpu) const;
    std::optional<double> interrupt_share(const std::vector<unsigned>& cpus) const;
    // Every write the engine reaped in its window ran its completion work in the module's window,
    // give or take the I/Os in flight at either end: the module's count (measured + unmatched)
    // must be within 2 x iodepth x jobs + 1 % of the engine's writes (5 % when fio ran the load:
    // its window and the readings are only aligned to diowqctl's 100 ms polling). nullopt without
    // the module's counts.
    std::optional<CompletionCheck> completion_check(const BenchOptions& options) const;
};

// What the bench ran on, for the report.
struct BenchSetup {
    std::string tool_version;
    std::string kernel; // uname -r
    unsigned online_cpus = 0;
    unsigned cpu = 0;           // the load's (job 0's)
    std::vector<unsigned> cpus; // each job's, job 0 first; empty: {cpu}
    unsigned weight = 0;        // the load's cgroup's cpu.weight (the deepest group's)
    std::string cgroup; // absolute path of the load's cgroup ("" if none is inside); --isolation:
                        // pod A's top
    // Every group the bench created, top first (one when flat), with its absolute path.
    struct CgroupLevelSetup {
        std::string path;
        CgroupLevel level;
    };
    std::vector<CgroupLevelSetup> cgroup_levels;
    std::string home_cgroup; // absolute path of where diowqctl runs ("outside")
    // --isolation: pod A is `cgroup` (with `weight`), pod B the neighbour's.
    std::string neighbour_cgroup;
    unsigned neighbour_weight = 0;
    std::string directory;
    std::string file;               // job 0's
    std::vector<std::string> files; // each job's
    std::string mountpoint;
    std::string fstype;
    std::string source;                              // the device, as mountinfo names it
    std::optional<std::string> irq_name;             // the interrupts counted, e.g. nvme0
    WriteCache write_cache;                          // the disk's: what dsync costs
    std::optional<std::string> switches_source;      // "sched_debug" or "perf"
    std::optional<std::string> switches_unavailable; // why there is no context switch count
    std::optional<std::string> module_version;       // nullopt: diowq not loaded
    // Dispatch latency: recorded (the module measures it and --no-latency was not given), or
    // why not.
    bool dispatch_available = false;
    std::optional<std::string> dispatch_unavailable;
    std::optional<SuperblockStatus> diowq_before;
    BenchOptions options;

    // The jobs' CPUs: `cpus`, or `cpu` alone when it is empty.
    std::vector<unsigned> load_cpus() const;
    // The CPUs of the node a k8s hierarchy's weights are for: --node-cpus, or the online ones.
    unsigned node_cpus() const { return options.node_cpus.value_or(online_cpus); }
};

class RunnerEvents {
public:
    virtual ~RunnerEvents() = default;
    virtual void layout(std::uint64_t /*done*/, std::uint64_t /*total*/) {}
    virtual void warmup_started(std::chrono::milliseconds /*duration*/) {}
    virtual void run_started(const RunRecord& /*record*/, std::size_t /*total_runs*/) {}
    virtual void run_progress(std::uint64_t /*done_ns*/, std::uint64_t /*total_ns*/) {}
    virtual void run_finished(const RunRecord& /*record*/, std::size_t /*total_runs*/) {}
    virtual void warning(const std::string& /*message*/) {}
};

// The resources of a bench that outlive its runs; built by the command, torn down in reverse.
class FilesystemTuning;
class BenchCgroup;
class TestFile;
class ContextSwitchCounter;

// What a kind of bench does around each run besides the runner's own steps (the isolation
// bench's pods: bench/pods.hpp). run_begin() comes before the load starts (and its ramp), once
// the filesystem is tuned; run_end() after the load stopped, also when it failed.
class RunHooks {
public:
    virtual ~RunHooks() = default;
    virtual void run_begin(const Configuration& /*configuration*/) {}
    virtual void measure_begin() {}
    virtual void measure_end(RunRecord& /*record*/) {}
    virtual void run_end() noexcept {}
};

struct RunnerParts {
    std::vector<TestFile*> files;                      // a job's each, as setup.load_cpus()
    FilesystemTuning* tuning = nullptr;                // needed when a configuration tunes
    BenchCgroup* cgroup = nullptr;                     // needed when a configuration is inside
    std::vector<const ContextSwitchCounter*> switches; // one per job's CPU, or none
    DispatchWatch* dispatch = nullptr;                 // dispatch latency, when available
    RunHooks* hooks = nullptr;                         // --isolation's pods
};

// Runs the warm-up, then the schedule; stops early, keeping what was measured, when `stop` is
// set.
std::vector<RunRecord> run_matrix(const BenchSetup& setup, RunnerParts parts, RunnerEvents& events,
                                  const std::atomic<bool>& stop);

} // namespace diowq::bench
