// SPDX-License-Identifier: GPL-2.0
// Which task ran on which CPU, and for how long, from /proc: every thread's
// /proc/PID/task/TID/stat (its comm, nice, flags, and field 39 "processor", the CPU it last ran
// on) and schedstat (the CPU time it ran, in ns; utime + stime from stat when it is missing,
// in clock ticks). The parsers take the files' text, for the tests; read_tasks() reads a
// /proc-like directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace diowq::sys {

// The fields of a /proc/PID/stat line that are used here.
struct TaskStat {
    pid_t pid = 0;
    std::string comm;        // between the first '(' and the last ')': may hold both and spaces
    char state = '?';        // field 3
    std::uint32_t flags = 0; // field 9, PF_*
    std::uint64_t utime = 0; // field 14, clock ticks
    std::uint64_t stime = 0; // field 15
    int nice = 0;            // field 19
    unsigned processor = 0;  // field 39: the CPU it last ran on

    bool kernel_thread() const { return (flags & 0x00200000u) != 0; } // PF_KTHREAD
    bool operator==(const TaskStat&) const = default;
};

// Throws std::invalid_argument when the line is not a stat line.
TaskStat parse_task_stat(std::string_view text);

// The CPU time in ns, the first field of /proc/PID/schedstat; nullopt when unreadable.
std::optional<std::uint64_t> parse_schedstat_runtime(std::string_view text);

// One thread at one moment.
struct TaskSample {
    pid_t tid = 0;
    pid_t tgid = 0;   // its process
    std::string comm; // the thread's
    unsigned cpu = 0; // where it last ran
    int nice = 0;
    bool kernel_thread = false;
    std::uint64_t runtime_ns = 0; // CPU time since it started

    bool operator==(const TaskSample&) const = default;
};

// Every thread under `proc` (/proc/PID/task/TID), sorted by tid. Tasks that exit while being read
// are left out; an unreadable `proc` throws diowq::Failure.
std::vector<TaskSample> read_tasks(const std::string& proc = "/proc");

} // namespace diowq::sys
