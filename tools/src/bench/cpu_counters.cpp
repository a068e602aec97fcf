// SPDX-License-Identifier: GPL-2.0
#include "bench/cpu_counters.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bench/block_device.hpp"

namespace diowq::bench {

namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        const std::size_t start = line.find_first_not_of(" \t");
        if (start == std::string_view::npos) {
            break;
        }
        line.remove_prefix(start);
        const std::size_t end = std::min(line.find_first_of(" \t"), line.size());
        out.push_back(line.substr(0, end));
        line.remove_prefix(end);
    }
    return out;
}

bool names_device(std::string_view name, std::string_view device) {
    return name.size() > device.size() && name.starts_with(device) &&
           !(name[device.size()] >= '0' && name[device.size()] <= '9');
}

} // namespace

ContextSwitchCounter::ContextSwitchCounter(unsigned cpu, std::vector<std::string> sched_debug)
    : cpu_(cpu) {
    for (auto& path : sched_debug) {
        std::ifstream in(path);
        std::ostringstream text;
        text << in.rdbuf();
        if (in && parse_sched_debug_switches(text.str(), cpu)) {
            sched_debug_ = std::move(path);
            source_ = "sched_debug";
            return;
        }
    }
    perf_event_attr attr{};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
    const long fd = syscall(SYS_perf_event_open, &attr, -1, int(cpu), -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        why_ = fmt::format("no sched/debug in debugfs (mount -t debugfs none /sys/kernel/debug), "
                           "and perf_event_open(context switches, CPU {}): {}{}",
                           cpu, std::strerror(error),
                           error == EACCES || error == EPERM
                               ? " (needs root or kernel.perf_event_paranoid <= 0)"
                               : "");
        return;
    }
    perf_.reset(int(fd));
    source_ = "perf";
}

std::optional<std::uint64_t> ContextSwitchCounter::read() const {
    if (!sched_debug_.empty()) {
        std::ifstream in(sched_debug_);
        std::ostringstream text;
        text << in.rdbuf();
        return parse_sched_debug_switches(text.str(), cpu_);
    }
    if (!perf_) {
        return std::nullopt;
    }
    std::uint64_t count = 0;
    if (::read(perf_.get(), &count, sizeof(count)) != ssize_t(sizeof(count))) {
        return std::nullopt;
    }
    return count;
}

std::optional<std::uint64_t> parse_sched_debug_switches(std::string_view text, unsigned cpu) {
    const std::string header = fmt::format("cpu#{}", cpu);
    bool in_cpu = false;
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('\n'), text.size());
        const std::string_view line = text.substr(0, end);
        text.remove_prefix(std::min(end + 1, text.size()));
        if (line.starts_with("cpu#")) {
            // "cpu#1, 2596.124 MHz" on x86, "cpu#1" elsewhere; not "cpu#10" for cpu 1.
            in_cpu = line.starts_with(header) &&
                     (line.size() == header.size() || line[header.size()] == ',');
            continue;
        }
        if (!in_cpu) {
            continue;
        }
        const auto fields = words(line);
        if (fields.size() == 3 && fields[0] == ".nr_switches" && fields[1] == ":") {
            std::uint64_t value = 0;
            const auto [ptr, err] =
                std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), value);
            if (err == std::errc() && ptr == fields[2].data() + fields[2].size()) {
                return value;
            }
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::vector<std::uint64_t> device_interrupts(std::string_view text, std::string_view device) {
    std::size_t cpus = 0;
    std::vector<std::uint64_t> per_cpu;
    bool header = true;
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('\n'), text.size());
        const auto fields = words(text.substr(0, end));
        text.remove_prefix(std::min(end + 1, text.size()));
        if (header) {
            // "           CPU0       CPU1": one column per CPU.
            cpus = fields.size();
            per_cpu.assign(cpus, 0);
            header = false;
            continue;
        }
        if (fields.size() < cpus + 2 || !names_device(fields.back(), device)) {
            continue;
        }
        for (std::size_t cpu = 0; cpu < cpus; ++cpu) {
            const std::string_view count = fields[1 + cpu];
            std::uint64_t value = 0;
            const auto [ptr, err] =
                std::from_chars(count.data(), count.data() + count.size(), value);
            if (err == std::errc() && ptr == count.data() + count.size()) {
                per_cpu[cpu] += value;
            }
        }
    }
    return per_cpu;
}

std::optional<std::string> interrupt_name_of(std::uint32_t major, std::uint32_t minor,
                                             const std::string& sys) {
    namespace fs = std::filesystem;
    const auto block = disk_directory(major, minor, sys);
    if (!block) {
        return std::nullopt;
    }
    std::error_code error;
    const fs::path device = fs::read_symlink(*block / "device", error);
    if (error || device.filename().empty()) {
        return std::nullopt;
    }
    return device.filename().string();
}

std::string read_proc_interrupts() {
    std::ifstream in("/proc/interrupts");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace diowq::bench
