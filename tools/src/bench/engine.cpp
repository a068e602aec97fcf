// SPDX-License-Identifier: GPL-2.0
#include "bench/engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <span>

#include <sys/resource.h>

#include <fmt/format.h>

#include "bench/io_queue.hpp"
#include "errors.hpp"

namespace diowq::bench {

namespace {

constexpr std::uint64_t ns_per_s = 1'000'000'000;
constexpr std::uint64_t progress_interval_ns = 100'000'000;

std::uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * ns_per_s + std::uint64_t(ts.tv_nsec);
}

std::uint64_t to_ns(std::chrono::milliseconds ms) {
    return std::uint64_t(ms.count()) * 1'000'000;
}

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
        , queue_(make_io_queue(options.ioengine, fd, options.iodepth, options.uring_setup))
        , requests_(options.iodepth)
        , issued_ns_(options.iodepth)
        , completions_(options.batch_complete_max) {
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
        IoRequest& request = requests_[slot];
        const bool read = options_.read_percent > 0 && random_.next() % 100 < options_.read_percent;
        request.slot = slot;
        request.direction = read ? IoDirection::read : IoDirection::write;
        request.buffer =
            static_cast<char*>(buffers_.get()) + std::size_t(slot) * options_.block_size;
        request.size = options_.block_size;
        request.offset = next_block() * options_.block_size;
        pending_.push_back(request);
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
        const std::size_t n = queue_->submit(pending_);
        const std::uint64_t issued = now_ns();
        for (std::size_t i = 0; i < n; ++i) {
            issued_ns_[pending_[i].slot] = issued;
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
            throw Failure(
                fmt::format("{}: the kernel accepts no I/O (EAGAIN with nothing in flight)",
                            io_engine_name(options_.ioengine)));
        }
    }

    void reap(bool count) {
        if (inflight_ == 0) {
            return;
        }
        const std::size_t min_complete =
            std::clamp<std::size_t>(options_.batch_complete_min, 1, inflight_);
        const std::size_t n = queue_->reap(min_complete, completions_);
        const std::uint64_t reaped = now_ns();
        for (std::size_t i = 0; i < n; ++i) {
            const IoCompletion& completion = completions_[i];
            const IoRequest& request = requests_[completion.slot];
            if (completion.result != std::int64_t(request.size)) {
                throw io_failure(request, completion.result);
            }
            if (count) {
                if (request.direction == IoDirection::read) {
                    ++result_.reads;
                } else {
                    ++result_.writes;
                }
                result_.latency.add(reaped - issued_ns_[completion.slot]);
            }
            free_.push_back(completion.slot);
        }
        inflight_ -= n;
    }

    static Failure io_failure(const IoRequest& request, std::int64_t result) {
        const char* op = request.direction == IoDirection::read ? "read" : "write";
        if (result < 0) {
            return Failure(fmt::format(
                "O_DIRECT {} of {} bytes at offset {}: {}{}", op, request.size, request.offset,
                std::strerror(int(-result)),
                result == -EINVAL ? " (is --bs a multiple of the device's logical block size?)"
                                  : ""));
        }
        return Failure(fmt::format("O_DIRECT {} of {} bytes at offset {}: only {} done", op,
                                   request.size, request.offset, result));
    }

    // Lets what is in flight complete, uncounted, so that the next run starts from an idle queue.
    void drain() {
        pending_.clear();
        while (inflight_ > 0) {
            reap(false);
        }
    }

    int fd_; // append: emptied when full
    EngineOptions options_;
    std::uint64_t blocks_;
    std::uint64_t appended_blocks_ = 0; // append: the file's length, in blocks submitted
    Random random_;
    // Declared before queue_, so destroyed after it: the queue waits for the I/Os using them.
    std::unique_ptr<void, FreeDeleter> buffers_;
    std::unique_ptr<IoQueue> queue_;
    std::vector<IoRequest> requests_; // by slot: what is in flight there
    std::vector<std::uint64_t> issued_ns_;
    std::vector<IoCompletion> completions_;
    std::vector<std::uint32_t> free_;
    std::vector<IoRequest> pending_;
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
