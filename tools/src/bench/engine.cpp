// SPDX-License-Identifier: GPL-2.0
#include "bench/engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>

#include <linux/aio_abi.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::bench {

namespace {

constexpr std::uint64_t ns_per_s = 1'000'000'000;
constexpr std::uint64_t progress_interval_ns = 100'000'000;
// io_getevents returns after this even with nothing reaped, so that `stop` is seen.
constexpr long reap_timeout_ns = 200'000'000;

std::uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * ns_per_s + std::uint64_t(ts.tv_nsec);
}

std::uint64_t to_ns(std::chrono::milliseconds ms) {
    return std::uint64_t(ms.count()) * 1'000'000;
}

// Linux native AIO through the raw system calls: what libaio wraps, without the library.
class AioContext {
public:
    explicit AioContext(unsigned events) {
        if (syscall(SYS_io_setup, events, &ctx_) != 0) {
            const int error = errno;
            throw Failure(
                fmt::format("io_setup({}): {}{}", events, std::strerror(error),
                            error == EAGAIN ? " (raise fs.aio-max-nr or lower --iodepth)" : ""));
        }
    }
    AioContext(const AioContext&) = delete;
    AioContext& operator=(const AioContext&) = delete;
    // io_destroy waits for the I/Os still in flight: the buffers they use outlive it.
    ~AioContext() { syscall(SYS_io_destroy, ctx_); }

    // How many of `count` were submitted; 0 when the kernel has no room (EAGAIN). Throws otherwise.
    std::size_t submit(iocb** iocbs, std::size_t count) {
        for (;;) {
            const long n = syscall(SYS_io_submit, ctx_, long(count), iocbs);
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

    // 0 on timeout or signal.
    std::size_t reap(long min_nr, long max_nr, io_event* events) {
        timespec timeout{0, reap_timeout_ns};
        const long n = syscall(SYS_io_getevents, ctx_, min_nr, max_nr, events, &timeout);
        if (n >= 0) {
            return std::size_t(n);
        }
        if (errno == EINTR) {
            return 0;
        }
        throw Failure(fmt::format("io_getevents: {}", std::strerror(errno)));
    }

private:
    aio_context_t ctx_ = 0;
};

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

// xoshiro256** (Blackman and Vigna, public domain): fast, and plenty random for offsets.
class Random {
public:
    explicit Random(std::uint64_t seed) {
        for (auto& word : state_) {
            seed += 0x9e3779b97f4a7c15; // splitmix64 fills the state
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
            z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
            word = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t state_[4];
};

struct ThreadUsage {
    double user = 0;
    double system = 0;
    std::int64_t voluntary = 0;
    std::int64_t involuntary = 0;
};

ThreadUsage thread_usage() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    const auto seconds = [](const timeval& tv) {
        return double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
    };
    return {seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_nvcsw, usage.ru_nivcsw};
}

class Engine {
public:
    Engine(int fd, std::uint64_t file_size, const EngineOptions& options)
        : fd_(fd)
        , options_(options)
        , blocks_(file_size / options.block_size)
        , random_(options.seed)
        , aio_(options.iodepth)
        , iocbs_(options.iodepth)
        , issued_ns_(options.iodepth)
        , events_(options.batch_complete_max) {
        const std::size_t bytes = std::size_t(options.block_size) * options.iodepth;
        void* memory = nullptr;
        if (posix_memalign(&memory, 4096, bytes) != 0) {
            throw Failure(fmt::format("cannot allocate {} bytes of I/O buffers", bytes));
        }
        buffers_.reset(memory);
        // Data that no layer can compress or deduplicate, as fio writes by default.
        auto* words = static_cast<std::uint64_t*>(memory);
        for (std::size_t i = 0; i < bytes / sizeof(std::uint64_t); ++i) {
            words[i] = random_.next();
        }
        free_.reserve(options.iodepth);
        for (std::uint32_t slot = options.iodepth; slot-- > 0;) {
            free_.push_back(slot);
        }
        pending_.reserve(options.iodepth);
    }

    EngineResult run(EngineObserver& observer, const std::atomic<bool>& stop) {
        const std::uint64_t start = now_ns();
        const std::uint64_t ramp_ns = to_ns(options_.ramp);
        const std::uint64_t total_ns = ramp_ns + to_ns(options_.runtime);
        bool measuring = false;
        std::uint64_t measure_start = 0;
        std::uint64_t sample_start = 0;
        std::uint64_t sample_ios = 0;
        std::uint64_t next_progress = start;
        ThreadUsage usage_start;

        const auto begin_measuring = [&] {
            observer.measure_begin();
            result_ = EngineResult();
            measuring = true;
            measure_start = sample_start = now_ns();
            sample_ios = 0;
            usage_start = thread_usage();
        };
        if (ramp_ns == 0) {
            begin_measuring();
        }

        std::uint64_t now = start;
        for (;;) {
            if (stop.load(std::memory_order_relaxed)) {
                result_.interrupted = true;
                break;
            }
            if (!measuring && now - start >= ramp_ns) {
                begin_measuring();
            }
            if (now - start >= total_ns) {
                break;
            }
            fill_and_submit();
            reap(measuring);
            now = now_ns();
            if (measuring && now - sample_start >= ns_per_s) {
                const std::uint64_t ios = result_.ios();
                result_.iops_samples.push_back(double(ios - sample_ios) * double(ns_per_s) /
                                               double(now - sample_start));
                sample_ios = ios;
                sample_start = now;
            }
            if (now >= next_progress) {
                observer.progress(std::min(now - start, total_ns), total_ns);
                next_progress = now + progress_interval_ns;
            }
        }

        const std::uint64_t end = now_ns();
        if (measuring) {
            const ThreadUsage usage_end = thread_usage();
            observer.measure_end();
            result_.seconds = double(end - measure_start) / double(ns_per_s);
            result_.cpu_user_seconds = usage_end.user - usage_start.user;
            result_.cpu_system_seconds = usage_end.system - usage_start.system;
            result_.voluntary_switches = usage_end.voluntary - usage_start.voluntary;
            result_.involuntary_switches = usage_end.involuntary - usage_start.involuntary;
        }
        drain();
        return std::move(result_);
    }

private:
    void prepare(std::uint32_t slot) {
        iocb& cb = iocbs_[slot];
        std::memset(&cb, 0, sizeof(cb));
        const bool read = options_.read_percent > 0 && random_.next() % 100 < options_.read_percent;
        cb.aio_data = slot;
        cb.aio_lio_opcode = read ? IOCB_CMD_PREAD : IOCB_CMD_PWRITE;
        cb.aio_fildes = std::uint32_t(fd_);
        cb.aio_buf = reinterpret_cast<std::uintptr_t>(static_cast<char*>(buffers_.get()) +
                                                      std::size_t(slot) * options_.block_size);
        cb.aio_nbytes = options_.block_size;
        cb.aio_offset = std::int64_t(next_block() * options_.block_size);
        pending_.push_back(&cb);
    }

    std::uint64_t next_block() {
        if (options_.offsets == Offsets::append) {
            return appended_blocks_++;
        }
        return random_.next() % blocks_;
    }

    // Appending, the file is full: no more writes until it has been emptied.
    bool file_full() const {
        return options_.offsets == Offsets::append && appended_blocks_ >= blocks_;
    }

    // Once the last appended writes have completed: the file is emptied and appending starts
    // again at 0 (its blocks are freed, so the next writes allocate and extend again).
    void restart_full_file() {
        if (!file_full() || inflight_ > 0 || !pending_.empty()) {
            return;
        }
        if (ftruncate(fd_, 0) != 0) {
            throw Failure(fmt::format("cannot empty the appended file: {}", std::strerror(errno)));
        }
        appended_blocks_ = 0;
        ++result_.file_restarts;
    }

    // Submits what is pending; what the kernel has no room for stays pending.
    void submit() {
        if (pending_.empty()) {
            return;
        }
        const std::size_t n = aio_.submit(pending_.data(), pending_.size());
        const std::uint64_t issued = now_ns();
        for (std::size_t i = 0; i < n; ++i) {
            issued_ns_[pending_[i]->aio_data] = issued;
        }
        inflight_ += n;
        pending_.erase(pending_.begin(), pending_.begin() + std::ptrdiff_t(n));
    }

    void fill_and_submit() {
        restart_full_file();
        while (!free_.empty() && !file_full()) {
            prepare(free_.back());
            free_.pop_back();
            if (pending_.size() >= options_.batch_submit) {
                const std::size_t before = pending_.size();
                submit();
                if (pending_.size() == before) {
                    break; // no room: reap first
                }
            }
        }
        submit();
        if (inflight_ == 0 && !pending_.empty()) {
            throw Failure("io_submit: the kernel accepts no I/O (EAGAIN with nothing in flight)");
        }
    }

    void reap(bool count) {
        if (inflight_ == 0) {
            return;
        }
        const long min_nr =
            long(std::clamp<std::size_t>(options_.batch_complete_min, 1, inflight_));
        const std::size_t n = aio_.reap(min_nr, long(events_.size()), events_.data());
        const std::uint64_t reaped = now_ns();
        for (std::size_t i = 0; i < n; ++i) {
            const io_event& event = events_[i];
            const auto slot = static_cast<std::uint32_t>(event.data);
            const iocb& cb = iocbs_[slot];
            if (event.res != std::int64_t(options_.block_size)) {
                const char* op = cb.aio_lio_opcode == IOCB_CMD_PREAD ? "read" : "write";
                if (event.res < 0) {
                    throw Failure(fmt::format(
                        "O_DIRECT {} of {} bytes at offset {}: {}{}", op, cb.aio_nbytes,
                        cb.aio_offset, std::strerror(int(-event.res)),
                        event.res == -EINVAL ? " (is --bs a multiple of the device's logical "
                                               "block size?)"
                                             : ""));
                }
                throw Failure(fmt::format("O_DIRECT {} of {} bytes at offset {}: only {} done", op,
                                          cb.aio_nbytes, cb.aio_offset, event.res));
            }
            if (count) {
                if (cb.aio_lio_opcode == IOCB_CMD_PREAD) {
                    ++result_.reads;
                } else {
                    ++result_.writes;
                }
                result_.latency.add(reaped - issued_ns_[slot]);
            }
            free_.push_back(slot);
        }
        inflight_ -= n;
    }

    // Lets what is in flight complete, uncounted, so that the next run starts from an idle queue.
    void drain() {
        pending_.clear();
        while (inflight_ > 0) {
            reap(false);
        }
    }

    int fd_;
    EngineOptions options_;
    std::uint64_t blocks_;
    std::uint64_t appended_blocks_ = 0; // append: the file's length, in blocks submitted
    Random random_;
    std::unique_ptr<void, FreeDeleter> buffers_; // declared before aio_: outlives io_destroy
    AioContext aio_;
    std::vector<iocb> iocbs_;
    std::vector<std::uint64_t> issued_ns_;
    std::vector<io_event> events_;
    std::vector<std::uint32_t> free_;
    std::vector<iocb*> pending_;
    std::size_t inflight_ = 0;
    EngineResult result_;
};

} // namespace

std::optional<LatencySummary> EngineResult::latency_summary() const {
    if (reported_latency) {
        return reported_latency;
    }
    if (latency.count() == 0) {
        return std::nullopt;
    }
    return LatencySummary{latency.min(),          latency.mean(),         latency.percentile(50),
                          latency.percentile(90), latency.percentile(99), latency.percentile(99.9),
                          latency.max()};
}

EngineResult run_engine(int fd, std::uint64_t file_size, const EngineOptions& options,
                        EngineObserver& observer, const std::atomic<bool>& stop) {
    if (options.block_size == 0 || options.iodepth == 0 || file_size < options.block_size) {
        throw Failure("the file is smaller than one block");
    }
    Engine engine(fd, file_size, options);
    return engine.run(observer, stop);
}

} // namespace diowq::bench
