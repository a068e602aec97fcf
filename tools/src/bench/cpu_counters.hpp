// What the load's CPU does besides the load, counted around each measurement:
//
// - context switches on that CPU, from a per-CPU perf software counter
//   (PERF_COUNT_SW_CONTEXT_SWITCHES, pid -1). It counts every switch on the CPU, whoever runs:
//   the submitter, the completion kworkers and anyone else, which is the figure the starvation
//   shows in. It needs root (or kernel.perf_event_paranoid <= 0). The counter is opened once for
//   the whole bench and read around each run: opening the first software counter of a kind
//   flips a static key, i.e. patches kernel text, which the bench does not want to do while
//   I/O is in flight. (/proc/schedstat counts schedule() calls, not switches, and only with
//   kernel.sched_schedstats=1, itself a static key; sched/debug's nr_switches needs debugfs.)
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
    // Never throws: when the counter cannot be opened, available() is false and why() says why.
    explicit ContextSwitchCounter(unsigned cpu);

    bool available() const { return static_cast<bool>(fd_); }
    const std::string& why() const { return why_; }
    // The count since the counter was opened; nullopt when unavailable.
    std::optional<std::uint64_t> read() const;

private:
    sys::UniqueFd fd_;
    std::string why_;
};

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
