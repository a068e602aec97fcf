// SPDX-License-Identifier: GPL-2.0
// CPU time per process and CPU over a window, from samples of every thread (proc_tasks.hpp) taken
// at steps of it. What a thread ran between two samples goes to the CPU it was on at the later
// one: exact for a thread that stays on one CPU (a pinned load), approximate for one that moves,
// hence steps of about a second. A thread first seen in the later sample is counted with all of
// its CPU time (it started during the step).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "system/proc_tasks.hpp"

namespace diowq::sys {

struct ProcessUsage {
    pid_t pid = 0;    // the thread group (process) id
    std::string comm; // its main thread's, or the first thread's seen
    std::uint64_t runtime_ns = 0;

    bool operator==(const ProcessUsage&) const = default;
};

class CpuUsage {
public:
    // Threads for which `skip` returns true are not counted.
    using Skip = std::function<bool(const TaskSample&)>;
    explicit CpuUsage(Skip skip = {})
        : skip_(std::move(skip)) {}

    // Both sorted by tid, as read_tasks() returns them.
    void add(const std::vector<TaskSample>& earlier, const std::vector<TaskSample>& later);

    // The process that ran most on `cpu` over every step added; nullopt when none did.
    std::optional<ProcessUsage> top(unsigned cpu) const;
    // Every process's time on `cpu`, most first.
    std::vector<ProcessUsage> on(unsigned cpu) const;

private:
    Skip skip_;
    std::map<std::pair<unsigned, pid_t>, ProcessUsage> usage_;
};

} // namespace diowq::sys
