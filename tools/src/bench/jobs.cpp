// SPDX-License-Identifier: GPL-2.0
#include "bench/jobs.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <sched.h>

#include <fmt/format.h>

#include "errors.hpp"
#include "system/cpulist.hpp"

namespace diowq::bench {

namespace {

void pin_thread(unsigned cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0) {
        throw Failure(fmt::format("cannot pin a job to CPU {}: {}", cpu, std::strerror(errno)));
    }
}

// What the jobs of a run share: the caller's observer, called once per phase, and the flag that
// stops them all.
class Rendezvous {
public:
    Rendezvous(std::size_t jobs, EngineObserver& observer, const std::atomic<bool>& stop)
        : jobs_(jobs)
        , observer_(observer)
        , outer_stop_(stop) {}

    const std::atomic<bool>& stop() const { return stop_; }

    // Sets the jobs' flag when the caller's is set; true when stopping.
    bool stopping() {
        if (outer_stop_.load(std::memory_order_relaxed)) {
            stop_.store(true);
        }
        return stop_.load(std::memory_order_relaxed);
    }

    void stop_all() {
        const std::lock_guard lock(mutex_);
        stop_.store(true);
        changed_.notify_all();
    }

    // The last job to arrive calls `phase` of the caller's observer; the others wait for it,
    // or for the stop.
    void arrive(bool begin) {
        std::unique_lock lock(mutex_);
        std::size_t& arrived = begin ? begun_ : ended_;
        bool& done = begin ? begin_done_ : end_done_;
        if (++arrived == jobs_) {
            if (begin) {
                observer_.measure_begin();
                began_ = true;
            } else if (began_) {
                observer_.measure_end();
            }
            done = true;
            changed_.notify_all();
            return;
        }
        while (!done && !stopping()) {
            changed_.wait_for(lock, std::chrono::milliseconds(50));
        }
    }

    void progress(unsigned job, std::uint64_t done, std::uint64_t total) {
        stopping();
        if (job == 0) {
            observer_.progress(done, total);
        }
    }

private:
    std::size_t jobs_;
    EngineObserver& observer_;
    const std::atomic<bool>& outer_stop_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t begun_ = 0;
    std::size_t ended_ = 0;
    bool begin_done_ = false;
    bool end_done_ = false;
    bool began_ = false;
};

class JobObserver : public EngineObserver {
public:
    JobObserver(Rendezvous& rendezvous, unsigned job)
        : rendezvous_(rendezvous)
        , job_(job) {}
    void measure_begin() override { rendezvous_.arrive(true); }
    void measure_end() override { rendezvous_.arrive(false); }
    void progress(std::uint64_t done, std::uint64_t total) override {
        rendezvous_.progress(job_, done, total);
    }

private:
    Rendezvous& rendezvous_;
    unsigned job_;
};

} // namespace

std::vector<unsigned> select_cpus(const std::vector<unsigned>& allowed, unsigned first,
                                  unsigned jobs) {
    if (std::find(allowed.begin(), allowed.end(), first) == allowed.end()) {
        throw std::invalid_argument(fmt::format("CPU {} is not one this process may run on ({})",
                                                first, sys::format_cpulist(allowed)));
    }
    if (jobs == 0 || jobs > allowed.size()) {
        throw std::invalid_argument(
            fmt::format("{} jobs need {} CPUs, and this process may run on {} ({}): each job has "
                        "a CPU of its own",
                        jobs, jobs, allowed.size(), sys::format_cpulist(allowed)));
    }
    std::vector<unsigned> cpus{first};
    for (auto it = allowed.rbegin(); it != allowed.rend() && cpus.size() < jobs; ++it) {
        if (*it != first) {
            cpus.push_back(*it);
        }
    }
    return cpus;
}

EngineResult merge_jobs(const std::vector<EngineResult>& jobs) {
    if (jobs.size() == 1) {
        return jobs.front();
    }
    EngineResult total;
    std::size_t samples = SIZE_MAX;
    for (const auto& job : jobs) {
        samples = std::min(samples, job.iops_samples.size());
    }
    total.iops_samples.assign(jobs.empty() ? 0 : samples, 0.0);
    for (const auto& job : jobs) {
        total.seconds = std::max(total.seconds, job.seconds);
        total.reads += job.reads;
        total.writes += job.writes;
        for (std::size_t i = 0; i < total.iops_samples.size(); ++i) {
            total.iops_samples[i] += job.iops_samples[i];
        }
        total.latency.merge(job.latency);
        total.cpu_user_seconds += job.cpu_user_seconds;
        total.cpu_system_seconds += job.cpu_system_seconds;
        total.voluntary_switches += job.voluntary_switches;
        total.involuntary_switches += job.involuntary_switches;
        total.interrupted = total.interrupted || job.interrupted;
        total.file_restarts += job.file_restarts;
    }
    return total;
}

std::vector<EngineResult> run_jobs(const std::vector<unsigned>& cpus, const JobLoad& load,
                                   EngineObserver& observer, const std::atomic<bool>& stop) {
    if (cpus.size() <= 1) {
        return {load(0, observer, stop)};
    }
    Rendezvous rendezvous(cpus.size(), observer, stop);
    std::vector<EngineResult> results(cpus.size());
    std::vector<std::exception_ptr> errors(cpus.size());
    const auto run = [&](unsigned job) {
        try {
            if (job != 0) {
                pin_thread(cpus[job]);
            }
            JobObserver job_observer(rendezvous, job);
            results[job] = load(job, job_observer, rendezvous.stop());
        } catch (...) {
            errors[job] = std::current_exception();
            rendezvous.stop_all();
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(cpus.size() - 1);
    try {
        for (unsigned job = 1; job < cpus.size(); ++job) {
            threads.emplace_back(run, job);
        }
    } catch (...) {
        rendezvous.stop_all();
        for (auto& thread : threads) {
            thread.join();
        }
        throw;
    }
    run(0);
    for (auto& thread : threads) {
        thread.join();
    }
    for (const auto& error : errors) {
        if (error) {
            std::rethrow_exception(error);
        }
    }
    return results;
}

} // namespace diowq::bench
