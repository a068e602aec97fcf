// SPDX-License-Identifier: GPL-2.0
#include "system/cpu_usage.hpp"

#include <algorithm>

namespace diowq::sys {

void CpuUsage::add(const std::vector<TaskSample>& earlier, const std::vector<TaskSample>& later) {
    for (const auto& task : later) {
        if (skip_ && skip_(task)) {
            continue;
        }
        std::uint64_t ran = task.runtime_ns;
        const auto before =
            std::lower_bound(earlier.begin(), earlier.end(), task.tid,
                             [](const TaskSample& sample, pid_t tid) { return sample.tid < tid; });
        // The same thread (not a reused tid): only what it ran since.
        if (before != earlier.end() && before->tid == task.tid && before->tgid == task.tgid &&
            before->runtime_ns <= task.runtime_ns) {
            ran = task.runtime_ns - before->runtime_ns;
        }
        if (ran == 0) {
            continue;
        }
        ProcessUsage& usage = usage_[{task.cpu, task.tgid}];
        usage.pid = task.tgid;
        if (task.tid == task.tgid || usage.comm.empty()) {
            usage.comm = task.comm;
        }
        usage.runtime_ns += ran;
    }
}

std::vector<ProcessUsage> CpuUsage::on(unsigned cpu) const {
    std::vector<ProcessUsage> list;
    for (auto it = usage_.lower_bound({cpu, 0}); it != usage_.end() && it->first.first == cpu;
         ++it) {
        list.push_back(it->second);
    }
    std::stable_sort(list.begin(), list.end(),
                     [](const auto& a, const auto& b) { return a.runtime_ns > b.runtime_ns; });
    return list;
}

std::optional<ProcessUsage> CpuUsage::top(unsigned cpu) const {
    auto list = on(cpu);
    if (list.empty()) {
        return std::nullopt;
    }
    return std::move(list.front());
}

} // namespace diowq::sys
