// SPDX-License-Identifier: GPL-2.0
// The kernel interface the load submits through: Linux native AIO (what fio's libaio engine
// uses) or io_uring. The engine (engine.cpp) owns the slots, offsets, buffers and measurement;
// a queue only hands requests to the kernel and hands back what completed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace diowq::bench {

enum class IoEngine { libaio, io_uring };

std::optional<IoEngine> parse_io_engine(std::string_view name);
std::string io_engine_name(IoEngine engine);

// How an io_uring ring is set up, which decides how completions reach the submitter:
//   fio    as fio's io_uring engine (3.33) sets it up: IORING_SETUP_COOP_TASKRUN,
//          SINGLE_ISSUER and DEFER_TASKRUN, each dropped where the kernel refuses it, as fio
//          does. A completion is handed over when the submitter next waits for completions.
//   plain  no setup flags, liburing's io_uring_queue_init(depth, ring, 0): each completion's
//          task work interrupts the submitter at once (TWA_SIGNAL).
enum class UringSetup { fio, plain };

std::optional<UringSetup> parse_uring_setup(std::string_view name);
std::string uring_setup_name(UringSetup setup);
// How reports name the way the load submitted: "libaio", "io_uring", "io_uring (plain setup)".
std::string io_engine_label(IoEngine engine, UringSetup setup);

enum class IoDirection : std::uint8_t { read, write };

struct IoRequest {
    std::uint32_t slot = 0; // comes back in the completion
    IoDirection direction = IoDirection::write;
    void* buffer = nullptr;
    std::uint32_t size = 0;
    std::uint64_t offset = 0;
};

struct IoCompletion {
    std::uint32_t slot = 0;
    std::int64_t result = 0; // bytes done, or -errno
};

// io_getevents and io_uring_enter return after this even with nothing reaped, so that the
// engine sees its stop flag.
inline constexpr long reap_timeout_ns = 200'000'000;

class IoQueue {
public:
    IoQueue() = default;
    IoQueue(const IoQueue&) = delete;
    IoQueue& operator=(const IoQueue&) = delete;
    virtual ~IoQueue() = default;
    // Submits `requests` in order and returns how many the kernel took: 0 when it has no room
    // now (EAGAIN). The caller passes the rest again, first and in the same order, after reaping.
    // Throws diowq::Failure on any other error.
    virtual std::size_t submit(std::span<const IoRequest> requests) = 0;
    // Waits up to reap_timeout_ns for `min_complete` completions, then takes up to
    // `completions.size()`. Returns how many it took: 0 on timeout or signal.
    virtual std::size_t reap(std::size_t min_complete, std::span<IoCompletion> completions) = 0;
};

// A queue for at most `depth` I/Os in flight on `fd`, made in the thread that will use it (an
// io_uring ring set up SINGLE_ISSUER belongs to its creator). Destroying it waits for the I/Os
// still in flight: the buffers they use must outlive it.
std::unique_ptr<IoQueue> make_io_queue(IoEngine engine, int fd, std::uint32_t depth,
                                       UringSetup setup = UringSetup::fio);
std::unique_ptr<IoQueue> make_aio_queue(int fd, std::uint32_t depth); // aio_queue.cpp
std::unique_ptr<IoQueue> make_uring_queue(int fd, std::uint32_t depth,
                                          UringSetup setup); // uring_queue.cpp

} // namespace diowq::bench
