// SPDX-License-Identifier: GPL-2.0
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bench/io_queue.hpp"
#include "errors.hpp"

namespace diowq::bench {

namespace {

// Linux native AIO through the raw system calls: what libaio wraps, without the library.
class AioQueue final : public IoQueue {
public:
    AioQueue(int fd, std::uint32_t depth)
        : fd_(fd)
        , iocbs_(depth)
        , events_(depth) {
        if (syscall(SYS_io_setup, depth, &ctx_) != 0) {
            const int error = errno;
            throw Failure(
                fmt::format("io_setup({}): {}{}", depth, std::strerror(error),
                            error == EAGAIN ? " (raise fs.aio-max-nr or lower --iodepth)" : ""));
        }
        batch_.reserve(depth);
    }

    // io_destroy waits for the I/Os still in flight.
    ~AioQueue() override { syscall(SYS_io_destroy, ctx_); }

    std::size_t submit(std::span<const IoRequest> requests) override {
        batch_.clear();
        for (const IoRequest& request : requests) {
            iocb& cb = iocbs_[request.slot];
            std::memset(&cb, 0, sizeof(cb));
            cb.aio_data = request.slot;
            cb.aio_lio_opcode =
                request.direction == IoDirection::read ? IOCB_CMD_PREAD : IOCB_CMD_PWRITE;
            cb.aio_fildes = std::uint32_t(fd_);
            cb.aio_buf = reinterpret_cast<std::uintptr_t>(request.buffer);
            cb.aio_nbytes = request.size;
            cb.aio_offset = std::int64_t(request.offset);
            batch_.push_back(&cb);
        }
        for (;;) {
            const long n = syscall(SYS_io_submit, ctx_, long(batch_.size()), batch_.data());
            if (n >= 0) {
                return std::size_t(n);
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                return 0;
            }
            throw Failure(fmt::format("io_submit: {}", std::strerror(errno)));
        }
    }

    std::size_t reap(std::size_t min_complete, std::span<IoCompletion> completions) override {
        const std::size_t max = std::min(completions.size(), events_.size());
        timespec timeout{0, reap_timeout_ns};
        const long n = syscall(SYS_io_getevents, ctx_, long(min_complete), long(max),
                               events_.data(), &timeout);
        if (n < 0) {
            if (errno == EINTR) {
                return 0;
            }
            throw Failure(fmt::format("io_getevents: {}", std::strerror(errno)));
        }
        for (std::size_t i = 0; i < std::size_t(n); ++i) {
            completions[i] = {static_cast<std::uint32_t>(events_[i].data), events_[i].res};
        }
        return std::size_t(n);
    }

private:
    int fd_;
    aio_context_t ctx_ = 0;
    std::vector<iocb> iocbs_; // one per slot: the kernel reads it during io_submit
    std::vector<iocb*> batch_;
    std::vector<io_event> events_;
};

} // namespace

std::unique_ptr<IoQueue> make_aio_queue(int fd, std::uint32_t depth) {
    return std::make_unique<AioQueue>(fd, depth);
}

} // namespace diowq::bench
