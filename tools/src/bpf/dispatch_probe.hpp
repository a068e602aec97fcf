// SPDX-License-Identifier: GPL-2.0
// The dispatch-latency BPF program (dispatch.bpf.c): loaded and attached while a DispatchProbe
// lives, its counters read as plain data. Needs no module: only BTF and the privilege to load
// tracing programs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/latency.hpp"
#include "system/unique_fd.hpp"

namespace diowq::bpf {

// One filesystem on one CPU, cumulative since the program was attached.
struct DispatchCounters {
    std::uint32_t cpu = 0;
    DeviceNumber dev;
    std::uint64_t queued = 0; // dio write completions that ran from a queue
    std::uint64_t delay_sum_ns = 0;
    std::uint64_t delay_max_ns = 0;
    LatencyBuckets delay_hist{};
    std::uint64_t run_sum_ns = 0;
    std::uint64_t unmatched = 0;
    std::uint64_t completed = 0; // every dio write completion: queued, unmatched or without a queue
    std::uint32_t worker_pid = 0;
    std::int32_t worker_nice = 0;
    std::string queue; // the workqueue of the last queued completion

    bool operator==(const DispatchCounters&) const = default;
};

// What the program could attach to on this kernel.
struct DispatchCoverage {
    // iomap_dio_complete_work was found: dio completions are recognised at all.
    bool completion_function = false;
    // Every write completion is counted (fentry attached), so the queued share is known.
    bool all_completions = false;
    // struct iomap_dio is in the kernel's BTF: completions are told apart by filesystem (else
    // they are all counted under device 0:0).
    bool filesystems = false;
};

// One of the program's parts (one per hook) and its cost so far, from the kernel's BPF
// statistics (when they could be enabled).
struct ProgramCost {
    std::string name; // dq_queue_work, dq_execute_start, ...
    std::uint64_t run_ns = 0;
    std::uint64_t runs = 0;

    bool operator==(const ProgramCost&) const = default;
};

// The program's own cost: all its parts summed, and each.
struct DispatchCost {
    std::uint64_t run_ns = 0;
    std::uint64_t runs = 0;
    std::vector<ProgramCost> programs;
};

// Where `diowqctl watch` leaves the program attached, for top and diagnose to read and
// `diowqctl unwatch` to remove: its links and maps pinned in the BPF filesystem.
inline constexpr const char* pin_directory = "/sys/fs/bpf/diowq";

class DispatchProbe {
public:
    // Loads and attaches the program for as long as this object lives; throws Failure with one
    // line naming what is missing (BTF, privileges, lockdown, the kernel's refusal).
    DispatchProbe();
    // The program `diowqctl watch` left attached, or nullopt when there is none; throws
    // Failure when there may be one but this process may not read it (not root).
    static std::optional<DispatchProbe> open_pinned();
    ~DispatchProbe();
    DispatchProbe(DispatchProbe&&) noexcept;
    DispatchProbe& operator=(DispatchProbe&&) noexcept;
    DispatchProbe(const DispatchProbe&) = delete;
    DispatchProbe& operator=(const DispatchProbe&) = delete;

    // Keep the program attached after this object and this process are gone (pin_directory,
    // mounting the BPF filesystem if needed); throws Failure.
    void pin();
    // Detach a pinned program; false when none was pinned.
    static bool unpin();

    // Detach the program and attach it again; its counters stay (for the bench's run that
    // measures the program's cost). No-ops for a pinned program; attach() throws Failure.
    void detach();
    void attach();
    bool attached() const;

    const DispatchCoverage& coverage() const { return coverage_; }
    // The counters so far. With `take_window_max`, each delay_max_ns is the largest delay since
    // the last such read instead of since the program was attached.
    std::vector<DispatchCounters> read(bool take_window_max) const;
    // Turn on the kernel's BPF run-time statistics for as long as this object lives, so that
    // cost() reads something: they time every run of every BPF program on the machine (two
    // clock reads each), so only the bench asks for them, never diagnose or top.
    void measure_cost();
    // The program's own cost so far: zero while the kernel's BPF statistics are off (see
    // measure_cost()).
    DispatchCost cost() const;
    // Events the kernel did not run the program for because one of its parts was running on
    // that CPU already (an interrupt's completion nested in a task's): each a completion not
    // counted, or a queueing not stamped (then an unmatched execution).
    std::uint64_t missed() const;

private:
    struct Loaded;
    struct Pinned {};
    explicit DispatchProbe(Pinned);
    void open_pinned_programs();
    // Each attached part of the program (loaded, or behind the pinned links) with the kernel's
    // information about it: its statistics and recursion misses.
    struct PartInfo;
    std::vector<PartInfo> part_infos() const;

    std::unique_ptr<Loaded> loaded_; // null for a pinned program
    int stats_fd_ = -1;              // the maps, owned by loaded_ or by the pins below
    int windows_fd_ = -1;
    sys::UniqueFd pinned_stats_;
    sys::UniqueFd pinned_windows_;
    std::vector<sys::UniqueFd> pinned_parts_; // the programs behind the pinned links
    DispatchCoverage coverage_;
};

// The kernel's dev_t encoding (MAJOR in the top 12 bits), as BPF reads s_dev.
DeviceNumber device_from_kernel(std::uint32_t dev);

} // namespace diowq::bpf
