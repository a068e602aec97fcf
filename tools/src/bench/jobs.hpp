// SPDX-License-Identifier: GPL-2.0
// --jobs N: N submitters at once, each the engine of engine.hpp on a file of its own, pinned to a
// CPU of its own. They are threads of the bench's process, so that wherever the process is
// placed (the cgroup: moving a process into one moves all its threads, and a thread starts in
// its creator's) every job is: job 0 runs on the calling thread, as the single job always has,
// jobs 1.. on threads that pin themselves.
//
// The caller's observer sees one run: its measure_begin() when the last job's ramp is over (the
// jobs wait for each other there, so they measure the same window), its measure_end() when the
// last job's window ends, and job 0's progress. An I/O error in one job stops the others; the
// error is thrown once all have stopped.
#pragma once

#include <atomic>
#include <functional>
#include <vector>

#include "bench/engine.hpp"

namespace diowq::bench {

// The CPU of each job: job 0 on `first` (--cpu, or the last allowed CPU), the others on the
// highest allowed CPUs not taken yet. Throws std::invalid_argument when `first` is not allowed
// or there are fewer allowed CPUs than jobs.
std::vector<unsigned> select_cpus(const std::vector<unsigned>& allowed, unsigned first,
                                  unsigned jobs);

// The jobs of one run as one result: I/Os, CPU time, switches and restarts summed, latency
// histograms merged, per-second samples summed second by second (as far as every job has one),
// the measured time the longest job's. One job: that job's result.
EngineResult merge_jobs(const std::vector<EngineResult>& jobs);

// One job's load: runs the engine for job `job` (on its own file), told `observer` and `stop`.
using JobLoad = std::function<EngineResult(unsigned job, EngineObserver& observer,
                                           const std::atomic<bool>& stop)>;

// Runs a load per CPU in `cpus` (job i on cpus[i]), and returns each job's result. The calling
// thread must be pinned to cpus[0] already. Throws the first job's error, after all have ended.
std::vector<EngineResult> run_jobs(const std::vector<unsigned>& cpus, const JobLoad& load,
                                   EngineObserver& observer, const std::atomic<bool>& stop);

} // namespace diowq::bench
