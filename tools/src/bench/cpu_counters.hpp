// SPDX-License-Identifier: GPL-2.0
// What the load's CPU does besides the load, counted around each measurement:
//
// - context switches on that CPU, every switch whoever runs (the submitter, the completion
//   kworkers, anyone else), which is the figure the starvation shows in. First choice is the
//   scheduler's own per-CPU count, rq->nr_switches, as sched/debug prints it in debugfs
//   (/proc/sched_debug before 5.13; CONFIG_SCHED_DEBUG, as Debian builds): reading it changes
//   nothing in the kernel. Second choice, without debugfs, a per-CPU perf software counter
//   (PERF_COUNT_SW_CONTEXT_SWITCHES, pid -1), opened once for the whole bench: opening the first
//   such counter flips a static key whose site is in the context switch path, i.e. patches
//   kernel text every CPU is executing, which hung an emulated (multi-threaded TCG) guest here.
//   /proc/schedstat counts schedule() calls, not switches, and only with sched_schedstats=1,
//   itself a static key.
// - the device's interrupts per CPU, from /proc/interrupts: which CPU takes the completions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "system/unique_fd.hpp"

namespace diowq::bench {

class ContextSwitchCounter {
public:
    // Never throws: when no source works, available() is false and why() says why.
    // `sched_debug` lists the files to try first, in order.
    explicit ContextSwitchCounter(unsigned cpu,
                                  std::vector<std::string> sched_debug = {
                                      "/sys/kernel/debug/sched/debug", "/proc/sched_debug"});

    bool available() const { return !source_.empty(); }
    // "sched_debug" or "perf"; empty when unavailable.
    const std::string& source() const { return source_; }
    const std::string& why() const { return why_; }
    // A count that grows by one per switch; nullopt when unavailable or unreadable.
    std::optional<std::uint64_t> read() const;

private:
    unsigned cpu_;
    std::string sched_debug_; // the file in use, when the source is sched_debug
    sys::UniqueFd perf_;
    std::string source_;
    std::string why_;
};

// rq->nr_switches of `cpu` in the text of sched/debug ("cpu#1, 2596.124 MHz" then
// "  .nr_switches   : 123"); nullopt when it is not there.
std::optional<std::uint64_t> parse_sched_debug_switches(std::string_view text, unsigned cpu);

// Interrupts of a device per CPU, summed over the /proc/interrupts lines whose name (last
// column) is `device` followed by anything but a digit: "nvme0" counts nvme0q0, nvme0q1, ...
// but not nvme10q1; "virtio1" counts virtio1-req.0. Index: CPU number, in the file's columns.
std::vector<std::uint64_t> device_interrupts(std::string_view proc_interrupts,
                                             std::string_view device);

// The name the interrupts of the disk holding `major:minor` carry: the basename of its
// /sys/dev/block/M:m/device link ("nvme0", "virtio1"), for a partition its disk's. nullopt for
// devices without one (device mapper, loop, ...).
std::optional<std::string> interrupt_name_of(std::uint32_t major, std::uint32_t minor,
                                             const std::string& sys = "/sys");

// The text of /proc/interrupts (empty when it cannot be read).
std::string read_proc_interrupts();

} // namespace diowq::bench
