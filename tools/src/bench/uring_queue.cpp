// SPDX-License-Identifier: GPL-2.0
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <liburing.h>

#include <fmt/format.h>

#include "bench/io_queue.hpp"
#include "errors.hpp"

namespace diowq::bench {

namespace {

// IORING_MAX_ENTRIES: io_uring_setup refuses larger rings with EINVAL.
constexpr std::uint32_t max_ring_entries = 32768;

std::string setup_hint(int error, std::uint32_t depth) {
    if (error == ENOSYS) {
        return " (this kernel has no io_uring: use --ioengine libaio)";
    }
    if (error == EPERM) {
        return " (io_uring is switched off: sysctl kernel.io_uring_disabled)";
    }
    if (error == EINVAL && depth > max_ring_entries) {
        return fmt::format(" (io_uring takes an --iodepth of at most {})", max_ring_entries);
    }
    if (error == ENOMEM) {
        return " (before Linux 5.12 the ring counts against RLIMIT_MEMLOCK: raise ulimit -l)";
    }
    return "";
}

// The setup flags to try, in order: fio 3.33's, then what it falls back to on a kernel that
// refuses them (EINVAL: SINGLE_ISSUER and DEFER_TASKRUN are 6.0/6.1, COOP_TASKRUN 5.19).
std::vector<unsigned> setup_flags(UringSetup setup) {
    if (setup == UringSetup::plain) {
        return {0};
    }
    return {IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
            IORING_SETUP_COOP_TASKRUN, 0};
}

// io_uring through Debian's liburing: completions by interrupt, no submission thread, no
// registered files or buffers, as fio's defaults; the setup flags as `setup` says.
class UringQueue final : public IoQueue {
public:
    UringQueue(int fd, std::uint32_t depth, UringSetup setup)
        : fd_(fd)
        , cqes_(depth) {
        int error = -EINVAL;
        for (const unsigned flags : setup_flags(setup)) {
            io_uring_params params{};
            params.flags = flags;
            error = io_uring_queue_init_params(depth, &ring_, &params);
            if (error != -EINVAL) {
                break;
            }
        }
        if (error < 0) {
            throw Failure(fmt::format("io_uring_queue_init({}): {}{}", depth, std::strerror(-error),
                                      setup_hint(-error, depth)));
        }
    }

    // Waits for the I/Os still in flight: unlike io_destroy, closing a ring does not.
    ~UringQueue() override {
        while (inflight_ > 0) {
            io_uring_cqe* cqe = nullptr;
            const int error = io_uring_wait_cqe(&ring_, &cqe);
            if (error == -EINTR) {
                continue;
            }
            if (error != 0) {
                break;
            }
            io_uring_cqe_seen(&ring_, cqe);
            --inflight_;
        }
        io_uring_queue_exit(&ring_);
    }

    std::size_t submit(std::span<const IoRequest> requests) override {
        // What the kernel did not take last time is still in the submission ring, in order, and
        // is the start of `requests`: only what follows it is new.
        for (std::size_t i = io_uring_sq_ready(&ring_); i < requests.size(); ++i) {
            io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
            if (sqe == nullptr) {
                // The ring has room for --iodepth and no more are ever in flight or pending.
                throw Failure("io_uring: more I/Os submitted than the ring has room for");
            }
            const IoRequest& request = requests[i];
            if (request.direction == IoDirection::read) {
                io_uring_prep_read(sqe, fd_, request.buffer, request.size, request.offset);
            } else {
                io_uring_prep_write(sqe, fd_, request.buffer, request.size, request.offset);
            }
            io_uring_sqe_set_data64(sqe, request.slot);
        }
        for (;;) {
            const int n = io_uring_submit(&ring_);
            if (n >= 0) {
                inflight_ += std::size_t(n);
                return std::size_t(n);
            }
            if (n == -EINTR) {
                continue;
            }
            if (n == -EAGAIN || n == -EBUSY) {
                return 0;
            }
            throw Failure(fmt::format("io_uring_submit: {}", std::strerror(-n)));
        }
    }

    std::size_t reap(std::size_t min_complete, std::span<IoCompletion> completions) override {
        if (io_uring_cq_ready(&ring_) < min_complete) {
            __kernel_timespec timeout{0, reap_timeout_ns};
            io_uring_cqe* first = nullptr;
            const int error =
                io_uring_wait_cqes(&ring_, &first, unsigned(min_complete), &timeout, nullptr);
            if (error < 0 && error != -ETIME && error != -EINTR && error != -EAGAIN) {
                throw Failure(fmt::format("io_uring_wait_cqes: {}", std::strerror(-error)));
            }
        }
        const unsigned max = unsigned(std::min(completions.size(), cqes_.size()));
        const unsigned n = io_uring_peek_batch_cqe(&ring_, cqes_.data(), max);
        for (unsigned i = 0; i < n; ++i) {
            completions[i] = {static_cast<std::uint32_t>(cqes_[i]->user_data), cqes_[i]->res};
        }
        io_uring_cq_advance(&ring_, n);
        inflight_ -= n;
        return n;
    }

private:
    int fd_;
    io_uring ring_{};
    std::vector<io_uring_cqe*> cqes_;
    std::size_t inflight_ = 0;
};

} // namespace

std::unique_ptr<IoQueue> make_uring_queue(int fd, std::uint32_t depth, UringSetup setup) {
    return std::make_unique<UringQueue>(fd, depth, setup);
}

} // namespace diowq::bench
