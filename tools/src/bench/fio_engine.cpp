// SPDX-License-Identifier: GPL-2.0
#include "bench/fio_engine.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"
#include "system/unique_fd.hpp"

namespace diowq::bench {

namespace {

// Field numbers (from 0) of fio's terse version 3 line.
constexpr std::size_t f_version = 0;
constexpr std::size_t f_error = 4;
constexpr std::size_t f_read_kb = 5;
constexpr std::size_t f_read_runtime_ms = 8;
constexpr std::size_t f_read_clat = 13; // min, max, mean, stdev (us), then 20 percentiles
constexpr std::size_t f_write = 41;     // the write block has the read block's layout
constexpr std::size_t f_usr = 87;
constexpr std::size_t f_sys = 88;
constexpr std::size_t f_ctx = 89;

std::uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * 1'000'000'000 + std::uint64_t(ts.tv_nsec);
}

double number(std::string_view field) {
    while (!field.empty() && (field.back() == '%' || field.back() == '\n')) {
        field.remove_suffix(1);
    }
    double value = 0;
    const auto [end, err] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (err != std::errc() || end != field.data() + field.size()) {
        throw Failure(fmt::format("unexpected fio output: '{}' is not a number", field));
    }
    return value;
}

std::uint64_t us_to_ns(double us) {
    return us <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(us * 1000));
}

// "50.000000%=1234" -> 1234 when the percentile is `wanted`.
std::optional<double> percentile_field(std::string_view field, double wanted) {
    const std::size_t equals = field.find('=');
    if (equals == std::string_view::npos) {
        return std::nullopt;
    }
    if (std::abs(number(field.substr(0, equals)) - wanted) > 1e-6) {
        return std::nullopt;
    }
    return number(field.substr(equals + 1));
}

std::string ms(std::chrono::milliseconds duration) {
    return fmt::format("{}ms", duration.count());
}

} // namespace

std::vector<std::string> fio_arguments(const std::string& fio, const std::string& path,
                                       std::uint64_t file_size, const EngineOptions& o) {
    std::vector<std::string> args{
        fio,
        "--name=diowq-bench",
        "--filename=" + path,
        fmt::format("--size={}", file_size),
        "--ioengine=" + io_engine_name(o.ioengine),
        "--direct=1",
        fmt::format("--bs={}", o.block_size),
        fmt::format("--iodepth={}", o.iodepth),
    };
    if (o.offsets == Offsets::append) {
        // From the end of the (emptied) file on; at --size fio goes back to where it began,
        // overwriting, where the built-in engine empties the file again.
        args.emplace_back("--rw=write");
        args.emplace_back("--file_append=1");
    } else if (o.read_percent == 0) {
        args.emplace_back("--rw=randwrite");
    } else if (o.read_percent == 100) {
        args.emplace_back("--rw=randread");
    } else {
        args.emplace_back("--rw=randrw");
        args.push_back(fmt::format("--rwmixread={}", o.read_percent));
    }
    if (o.dsync) {
        args.emplace_back("--sync=dsync");
    }
    args.push_back(fmt::format("--iodepth_batch_submit={}", o.batch_submit));
    args.push_back(fmt::format("--iodepth_batch_complete_min={}", o.batch_complete_min));
    args.push_back(fmt::format("--iodepth_batch_complete_max={}", o.batch_complete_max));
    args.emplace_back("--time_based");
    args.push_back("--runtime=" + ms(o.runtime));
    if (o.ramp.count() > 0) {
        args.push_back("--ramp_time=" + ms(o.ramp));
    }
    // The file is laid out already, as the built-in engine's is: fio must not redo it.
    args.emplace_back("--fallocate=none");
    args.emplace_back("--output-format=terse");
    args.emplace_back("--terse-version=3");
    return args;
}

EngineResult parse_fio_terse(std::string_view text, const EngineOptions& options) {
    // The terse line is the last one; fio may say something before it.
    while (!text.empty() && text.back() == '\n') {
        text.remove_suffix(1);
    }
    text = text.substr(text.rfind('\n') == std::string_view::npos ? 0 : text.rfind('\n') + 1);
    std::vector<std::string_view> f;
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find(';', start);
        f.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    if (f.size() <= f_ctx || f[f_version] != "3") {
        throw Failure(fmt::format("unexpected fio output (not a terse version 3 line): '{}'",
                                  text.substr(0, 80)));
    }
    if (f[f_error] != "0") {
        throw Failure(fmt::format("fio reports error {} ({})", f[f_error],
                                  std::strerror(int(number(f[f_error])))));
    }
    EngineResult result;
    const auto block = [&](std::size_t at) {
        return std::uint64_t(number(f[at]) * 1024) / options.block_size;
    };
    result.reads = block(f_read_kb);
    result.writes = block(f_write + f_read_kb);
    result.seconds =
        std::max(number(f[f_read_runtime_ms]), number(f[f_write + f_read_runtime_ms])) / 1000;
    const std::size_t clat = result.writes > 0 ? f_write + f_read_clat : f_read_clat;
    LatencySummary latency;
    latency.min = us_to_ns(number(f[clat]));
    latency.max = us_to_ns(number(f[clat + 1]));
    latency.mean = number(f[clat + 2]) * 1000;
    for (std::size_t i = clat + 4; i < clat + 24; ++i) {
        if (const auto v = percentile_field(f[i], 50)) {
            latency.p50 = us_to_ns(*v);
        } else if (const auto v90 = percentile_field(f[i], 90)) {
            latency.p90 = us_to_ns(*v90);
        } else if (const auto v99 = percentile_field(f[i], 99)) {
            latency.p99 = us_to_ns(*v99);
        } else if (const auto v999 = percentile_field(f[i], 99.9)) {
            latency.p99_9 = us_to_ns(*v999);
        }
    }
    result.reported_latency = latency;
    result.cpu_user_seconds = number(f[f_usr]) / 100 * result.seconds;
    result.cpu_system_seconds = number(f[f_sys]) / 100 * result.seconds;
    result.voluntary_switches = std::int64_t(number(f[f_ctx]));
    return result;
}

EngineResult run_fio(const std::string& path, std::uint64_t file_size, const EngineOptions& options,
                     EngineObserver& observer, const std::atomic<bool>& stop) {
    const auto args = fio_arguments("fio", path, file_size, options);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& arg : args) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw Failure(fmt::format("pipe: {}", std::strerror(errno)));
    }
    sys::UniqueFd out(fds[0]);
    sys::UniqueFd in(fds[1]);
    const pid_t pid = fork();
    if (pid < 0) {
        throw Failure(fmt::format("fork: {}", std::strerror(errno)));
    }
    if (pid == 0) {
        // The child inherits the pin and the cgroup. Only async-signal-safe calls from here.
        dup2(in.get(), STDOUT_FILENO);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    in.reset();

    const std::uint64_t start = now_ns();
    const std::uint64_t ramp_end = start + std::uint64_t(options.ramp.count()) * 1'000'000;
    const std::uint64_t total = std::uint64_t((options.ramp + options.runtime).count()) * 1'000'000;
    bool begun = false;
    bool ended = false;
    bool killed = false;
    std::string output;
    for (;;) {
        pollfd p{out.get(), POLLIN, 0};
        const int ready = poll(&p, 1, 100);
        if (ready > 0) {
            char buffer[4096];
            const ssize_t n = ::read(out.get(), buffer, sizeof(buffer));
            if (n == 0) {
                break; // fio is done
            }
            if (n > 0) {
                output.append(buffer, std::size_t(n));
            }
        }
        const std::uint64_t now = now_ns();
        if (!begun && now >= ramp_end) {
            observer.measure_begin();
            begun = true;
        }
        if (begun && !ended && now - start >= total) {
            observer.measure_end();
            ended = true;
        }
        observer.progress(std::min(now - start, total), total);
        if (stop.load() && !killed) {
            kill(pid, SIGINT);
            killed = true;
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (begun && !ended) {
        observer.measure_end();
    }
    if (killed || stop.load()) {
        EngineResult interrupted;
        interrupted.interrupted = true;
        return interrupted;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        throw Failure("cannot run fio: is it installed (apt-get install fio)?");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw Failure(fmt::format("fio failed ({}): {}",
                                  WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                                                    : fmt::format("signal {}", WTERMSIG(status)),
                                  output.substr(0, 200)));
    }
    return parse_fio_terse(output, options);
}

} // namespace diowq::bench
