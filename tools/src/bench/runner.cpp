// SPDX-License-Identifier: GPL-2.0
#include "bench/runner.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <sched.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bench/cgroup.hpp"
#include "bench/cpu_counters.hpp"
#include "bench/fio_engine.hpp"
#include "bench/jobs.hpp"
#include "bench/kworkers.hpp"
#include "bench/testfile.hpp"
#include "bench/tuning.hpp"
#include "errors.hpp"

namespace diowq::bench {

namespace {

// Pins the process to one CPU while it lives.
class CpuPin {
public:
    explicit CpuPin(unsigned cpu) {
        CPU_ZERO(&saved_);
        if (sched_getaffinity(0, sizeof(saved_), &saved_) != 0) {
            throw Failure(fmt::format("sched_getaffinity: {}", std::strerror(errno)));
        }
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (sched_setaffinity(0, sizeof(one), &one) != 0) {
            throw Failure(fmt::format("cannot pin to CPU {}: {}", cpu, std::strerror(errno)));
        }
    }
    CpuPin(const CpuPin&) = delete;
    CpuPin& operator=(const CpuPin&) = delete;
    ~CpuPin() { sched_setaffinity(0, sizeof(saved_), &saved_); }

private:
    cpu_set_t saved_;
};

// Leaves the cgroup when the run ends, however it ends.
class CgroupStay {
public:
    CgroupStay(BenchCgroup* cgroup)
        : cgroup_(cgroup) {
        if (cgroup_ != nullptr) {
            cgroup_->enter(getpid());
        }
    }
    CgroupStay(const CgroupStay&) = delete;
    CgroupStay& operator=(const CgroupStay&) = delete;
    ~CgroupStay() {
        if (cgroup_ != nullptr) {
            try {
                cgroup_->leave();
            } catch (const std::exception&) {
                // The cgroup's destructor tries again and warns.
            }
        }
    }

private:
    BenchCgroup* cgroup_;
};

// The dispatch-latency program detached while this lives, before the load starts and until
// it has stopped.
class ProgramDetached {
public:
    explicit ProgramDetached(DispatchWatch* dispatch)
        : dispatch_(dispatch) {
        if (dispatch_ != nullptr) {
            dispatch_->detach();
        }
    }
    ~ProgramDetached() {
        if (dispatch_ != nullptr) {
            try {
                dispatch_->attach();
            } catch (const std::exception&) {
                // The next runs' readings see the program gone and warn.
            }
        }
    }
    ProgramDetached(const ProgramDetached&) = delete;
    ProgramDetached& operator=(const ProgramDetached&) = delete;

private:
    DispatchWatch* dispatch_;
};

// The hooks' run_begin() now, run_end() however the run ends.
class HookedRun {
public:
    HookedRun(RunHooks* hooks, const Configuration& configuration)
        : hooks_(hooks) {
        if (hooks_ != nullptr) {
            hooks_->run_begin(configuration);
        }
    }
    HookedRun(const HookedRun&) = delete;
    HookedRun& operator=(const HookedRun&) = delete;
    ~HookedRun() {
        if (hooks_ != nullptr) {
            hooks_->run_end();
        }
    }

private:
    RunHooks* hooks_;
};

class RunObserver : public EngineObserver {
public:
    RunObserver(RunRecord& record, const BenchSetup& setup,
                const std::vector<const ContextSwitchCounter*>& switches, DispatchWatch* dispatch,
                const std::vector<std::unique_ptr<KworkerRenice>>& renice, RunHooks* hooks,
                RunnerEvents& events)
        : record_(record)
        , setup_(setup)
        , switches_(switches)
        , dispatch_(dispatch)
        , renice_(renice)
        , hooks_(hooks)
        , events_(events) {}

    void measure_begin() override {
        if (hooks_ != nullptr) {
            hooks_->measure_begin();
        }
        switches_start_ = switches();
        interrupts_start_ = interrupts();
        // Clearing each CPU's maximum makes the next reading's the window's own.
        dispatch_start_ = dispatch_ ? dispatch_->mark(true) : std::nullopt;
    }

    void measure_end() override {
        if (hooks_ != nullptr) {
            hooks_->measure_end(record_);
        }
        const auto switches_end = switches();
        if (dispatch_start_) {
            if (const auto dispatch_end = dispatch_->mark(false)) {
                record_.dispatch = dispatch_window(*dispatch_start_, *dispatch_end);
            }
        }
        if (!renice_.empty()) {
            std::size_t stragglers = 0;
            for (const auto& renice : renice_) {
                stragglers += renice->stragglers();
            }
            record_.not_reniced = stragglers;
        }
        if (switches_start_ && switches_end) {
            record_.cpu_switches = *switches_end - *switches_start_;
        }
        const auto interrupts_end = interrupts();
        if (!interrupts_end.empty() && interrupts_end.size() == interrupts_start_.size()) {
            record_.interrupts.resize(interrupts_end.size());
            for (std::size_t cpu = 0; cpu < interrupts_end.size(); ++cpu) {
                record_.interrupts[cpu] = interrupts_end[cpu] - interrupts_start_[cpu];
            }
        }
    }

    void progress(std::uint64_t done, std::uint64_t total) override {
        events_.run_progress(done, total);
    }

private:
    // Summed over the jobs' CPUs; nullopt when any is unknown.
    std::optional<std::uint64_t> switches() const {
        if (switches_.empty()) {
            return std::nullopt;
        }
        std::uint64_t sum = 0;
        for (const auto* counter : switches_) {
            const auto count = counter != nullptr ? counter->read() : std::nullopt;
            if (!count) {
                return std::nullopt;
            }
            sum += *count;
        }
        return sum;
    }

    std::vector<std::uint64_t> interrupts() const {
        if (!setup_.irq_name) {
            return {};
        }
        return device_interrupts(read_proc_interrupts(), *setup_.irq_name);
    }

    RunRecord& record_;
    const BenchSetup& setup_;
    const std::vector<const ContextSwitchCounter*>& switches_;
    DispatchWatch* dispatch_;
    const std::vector<std::unique_ptr<KworkerRenice>>& renice_;
    RunHooks* hooks_;
    RunnerEvents& events_;
    std::optional<std::uint64_t> switches_start_;
    std::optional<DispatchMark> dispatch_start_;
    std::vector<std::uint64_t> interrupts_start_;
};

// The load, by the engine asked for: each job's on its file (fio runs one job).
std::vector<EngineResult> run_load(const BenchSetup& setup, const std::vector<TestFile*>& files,
                                   const EngineOptions& options, EngineObserver& observer,
                                   const std::atomic<bool>& stop) {
    const auto cpus = setup.load_cpus();
    if (files.size() != cpus.size()) {
        throw std::logic_error("a file per job is needed");
    }
    if (setup.options.engine_kind == EngineKind::fio) {
        if (files.size() != 1) {
            throw std::logic_error("fio runs one job");
        }
        return {run_fio(files[0]->path(), files[0]->size(), options, observer, stop)};
    }
    return run_jobs(
        cpus,
        [&](unsigned job, EngineObserver& job_observer, const std::atomic<bool>& job_stop) {
            const TestFile& file = *files[job];
            return run_engine(file.fd(), file.size(), options, job_observer, job_stop);
        },
        observer, stop);
}

void prepare_files(const std::vector<TestFile*>& files) {
    for (auto* file : files) {
        file->prepare_run();
    }
}

} // namespace

std::vector<std::pair<std::size_t, unsigned>> interleave(std::size_t configurations,
                                                         unsigned repeat) {
    std::vector<std::pair<std::size_t, unsigned>> order;
    order.reserve(configurations * repeat);
    for (unsigned round = 0; round < repeat; ++round) {
        for (std::size_t i = 0; i < configurations; ++i) {
            order.emplace_back((i + round) % configurations, round);
        }
    }
    return order;
}

std::optional<double> RunRecord::switches_per_io() const {
    if (!cpu_switches || engine.ios() == 0) {
        return std::nullopt;
    }
    return double(*cpu_switches) / double(engine.ios());
}

double RunRecord::cpu_us_per_io() const {
    if (engine.ios() == 0) {
        return 0;
    }
    return (engine.cpu_user_seconds + engine.cpu_system_seconds) * 1e6 / double(engine.ios());
}

std::optional<double> RunRecord::interrupt_share(unsigned cpu) const {
    return interrupt_share(std::vector<unsigned>{cpu});
}

std::optional<double> RunRecord::interrupt_share(const std::vector<unsigned>& cpus) const {
    std::uint64_t total = 0;
    for (const auto count : interrupts) {
        total += count;
    }
    std::uint64_t taken = 0;
    for (const unsigned cpu : cpus) {
        if (cpu >= interrupts.size()) {
            return std::nullopt;
        }
        taken += interrupts[cpu];
    }
    if (total == 0 || cpus.empty()) {
        return std::nullopt;
    }
    return double(taken) / double(total);
}

std::vector<unsigned> BenchSetup::load_cpus() const {
    return cpus.empty() ? std::vector<unsigned>{cpu} : cpus;
}

std::optional<CompletionCheck> RunRecord::completion_check(const BenchOptions& options) const {
    if (!dispatch) {
        return std::nullopt;
    }
    CompletionCheck result;
    result.engine_writes = engine.writes;
    result.module_completions = dispatch->completions() + dispatch->unmatched;
    const double share = options.engine_kind == EngineKind::fio ? 0.05 : 0.01;
    result.slack = 2 * std::uint64_t{options.engine.iodepth} * std::max(options.jobs, 1u) +
                   static_cast<std::uint64_t>(share * static_cast<double>(engine.writes));
    // Fewer is not an error: when a write's bio ends before iomap_dio_rw() drops the submitter's
    // reference (the interrupt lands on the submitter's CPU while it is still in the call), the
    // submitter completes the dio itself and nothing is queued. More would mean another writer on
    // the filesystem, or a count that is wrong.
    result.queued_share =
        engine.writes == 0 ? 0.0 : double(result.module_completions) / double(engine.writes);
    result.ok = result.module_completions <= result.engine_writes + result.slack;
    return result;
}

std::vector<RunRecord> run_matrix(const BenchSetup& setup, RunnerParts parts, RunnerEvents& events,
                                  const std::atomic<bool>& stop) {
    const auto& configurations = setup.options.configurations;
    const auto schedule = interleave(configurations.size(), setup.options.repeat);
    std::vector<RunRecord> records;
    if (setup.options.warmup.count() > 0 && !stop.load()) {
        events.warmup_started(setup.options.warmup);
        prepare_files(parts.files);
        if (parts.tuning != nullptr) {
            parts.tuning->set(std::nullopt);
        }
        EngineOptions warmup = setup.options.engine;
        warmup.ramp = std::chrono::milliseconds(0);
        warmup.runtime = setup.options.warmup;
        const CpuPin pin(setup.cpu);
        EngineObserver quiet;
        run_load(setup, parts.files, warmup, quiet, stop);
    }
    for (const auto& [index, round] : schedule) {
        if (stop.load()) {
            break;
        }
        const Configuration& configuration = configurations[index];
        RunRecord record;
        record.configuration = std::string(configuration.name);
        record.round = round;
        record.sequence = unsigned(records.size());

        prepare_files(parts.files);
        const auto mode = diowq_mode(configuration);
        if (parts.tuning != nullptr) {
            parts.tuning->set(mode);
        } else if (mode) {
            throw std::logic_error("a tuned configuration without the module");
        }
        // pods: parts.cgroup is pod A.
        const bool inside = configuration.placement != Placement::outside;
        if (inside && parts.cgroup == nullptr) {
            throw std::logic_error("an inside configuration without a cgroup");
        }
        if (configuration.placement == Placement::pods && parts.hooks == nullptr) {
            throw std::logic_error("a pods configuration without the pods");
        }
        events.run_started(record, schedule.size());
        {
            // Every job's CPU's kworkers.
            std::vector<std::unique_ptr<KworkerRenice>> renice;
            if (configuration.treatment == Treatment::renice) {
                for (const unsigned cpu : setup.load_cpus()) {
                    renice.push_back(std::make_unique<KworkerRenice>(cpu, -20));
                    record.reniced += renice.back()->changed().size();
                }
            }
            DispatchWatch* const dispatch = configuration.unwatched ? nullptr : parts.dispatch;
            const ProgramDetached detached(configuration.unwatched ? parts.dispatch : nullptr);
            const CpuPin pin(setup.cpu);
            const CgroupStay stay(inside ? parts.cgroup : nullptr);
            const HookedRun hooked(parts.hooks, configuration);
            RunObserver observer(record, setup, parts.switches, dispatch, renice, parts.hooks,
                                 events);
            record.jobs = run_load(setup, parts.files, setup.options.engine, observer, stop);
            record.engine = merge_jobs(record.jobs);
        }
        if (mode && parts.tuning != nullptr) {
            record.diowq = parts.tuning->status();
        }
        if (record.engine.interrupted) {
            break; // half a run is no sample
        }
        record.check = record.completion_check(setup.options);
        if (const auto& check = record.check; check && !check->ok) {
            events.warning(fmt::format(
                "{} #{}: the module counted {} queued completions, more than the engine's {} "
                "writes (+{} in flight): something else wrote with O_DIRECT meanwhile, or a "
                "count is wrong",
                record.configuration, record.round + 1, check->module_completions,
                check->engine_writes, check->slack));
        }
        if (record.dispatch && (record.dispatch->restarted || record.dispatch->watch_lost)) {
            events.warning(fmt::format("{} #{}: the dispatch latency watch changed during the run "
                                       "(someone unwatched): its counts are partial",
                                       record.configuration, record.round + 1));
        }
        events.run_finished(record, schedule.size());
        records.push_back(std::move(record));
    }
    return records;
}

} // namespace diowq::bench
