// SPDX-License-Identifier: GPL-2.0
// The load: fio's libaio or io_uring engine on one file, as in
//   fio --ioengine=libaio --direct=1 --rw=randwrite --bs=4k --iodepth=128
//       --iodepth_batch_submit=128 --iodepth_batch_complete_max=128 --time_based
// Slots are refilled and submitted in batches of `batch_submit`, the queue is kept full, and
// completions are reaped with io_getevents(min = batch_complete_min, max = batch_complete_max),
// or io_uring's wait for min_complete, whenever it is. Offsets are uniformly random blocks;
// `read_percent` of the I/Os are reads. Or, appending, each write goes where the last ended, from
// 0, extending the file; at its size the engine lets what is in flight complete, empties the
// file and starts again at 0. Both ioengines share the slots, offsets and measurement here; only
// the system calls differ (io_queue.hpp, aio_queue.cpp, uring_queue.cpp).
//
// The engine only does I/O and measures itself (I/Os, per-second IOPS, completion latency, its
// own CPU time). Where it runs (CPU, cgroup) and what else is measured around it belong to the
// caller, which the engine tells when the ramp is over and when the measurement ends.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/io_queue.hpp"

namespace diowq::bench {

enum class Offsets {
    random, // uniformly random blocks of the file
    append, // sequential from 0, each write extending the file
};

struct EngineOptions {
    std::uint32_t block_size = 4096;
    std::uint32_t iodepth = 128;
    std::uint32_t batch_submit = 128;
    std::uint32_t batch_complete_min = 1; // 0 behaves as 1: the engine reaps when the queue is full
    std::uint32_t batch_complete_max = 128;
    std::chrono::milliseconds runtime{20'000};
    std::chrono::milliseconds ramp{5'000};
    unsigned read_percent = 0;         // fio's rwmixread: 0 is randwrite, 100 randread
    Offsets offsets = Offsets::random; // append: writes only
    bool dsync = false;                // the file is opened O_DSYNC (the caller's; fio is told so)
    std::uint64_t seed = 0x6469'6f77'715f'6265; // the same offsets every run, like fio's randrepeat
    IoEngine ioengine = IoEngine::libaio;
    UringSetup uring_setup = UringSetup::fio; // io_uring only

    bool operator==(const EngineOptions&) const = default;
};

// Completion latency in nanoseconds, as reported.
struct LatencySummary {
    std::uint64_t min = 0;
    double mean = 0;
    std::uint64_t p50 = 0;
    std::uint64_t p90 = 0;
    std::uint64_t p99 = 0;
    std::uint64_t p99_9 = 0;
    std::uint64_t max = 0;

    bool operator==(const LatencySummary&) const = default;
};

// What the measured part of one run did (the ramp is not in it).
struct EngineResult {
    double seconds = 0; // measured time
    std::uint64_t reads = 0;
    std::uint64_t writes = 0;
    std::vector<double> iops_samples; // one per whole second of the measured time
    LatencyHistogram latency;         // completion latency: submitted to reaped, nanoseconds
    double cpu_user_seconds = 0;      // the engine thread's own
    double cpu_system_seconds = 0;
    std::int64_t voluntary_switches = 0; // the engine thread's own context switches
    std::int64_t involuntary_switches = 0;
    bool interrupted = false;        // stopped early by `stop`
    std::uint64_t file_restarts = 0; // append: the file reached its size and was emptied
    // Set when another program ran the load (fio): its own figures, instead of `latency`.
    std::optional<LatencySummary> reported_latency;

    std::uint64_t ios() const { return reads + writes; }
    double iops() const { return seconds > 0 ? double(ios()) / seconds : 0.0; }
    // nullopt when nothing completed.
    std::optional<LatencySummary> latency_summary() const;
};

// The caller's part of a run. Called on the engine's thread.
class EngineObserver {
public:
    virtual ~EngineObserver() = default;
    virtual void measure_begin() {} // the ramp is over
    virtual void measure_end() {}   // before the I/Os still in flight are drained
    // Now and then (about every 100 ms): `done` of `total` nanoseconds of ramp + runtime.
    virtual void progress(std::uint64_t /*done*/, std::uint64_t /*total*/) {}
};

// Runs the load on `fd` (open with O_DIRECT, at least `file_size` bytes, a multiple of the block
// size) for ramp + runtime, or until `stop` is set. Throws diowq::Failure when an I/O fails.
EngineResult run_engine(int fd, std::uint64_t file_size, const EngineOptions& options,
                        EngineObserver& observer, const std::atomic<bool>& stop);

} // namespace diowq::bench
