// SPDX-License-Identifier: GPL-2.0
// What watch, top and diagnose print, as pure functions: aligned text for people, JSON for
// scripts (delays in ns, null when unknown).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "latency/diagnosis.hpp"
#include "latency/interval.hpp"
#include "model/latency.hpp"
#include "output/json.hpp"
#include "system/mountinfo.hpp"

namespace diowq::render {

// "all", "254:16 (/mnt/data)", "all, 8:1 (/srv)", "nothing": what is watched.
std::string watching_text(const WatchState& state, const std::vector<sys::MountInfoEntry>& mounts);

// `watch` without arguments.
std::string watch_state_text(const WatchState& state,
                             const std::vector<sys::MountInfoEntry>& mounts);
json::Value watch_state_json(const WatchState& state,
                             const std::vector<sys::MountInfoEntry>& mounts);

// One CPU of a `top` frame.
struct TopRow {
    latency::CpuSummary summary;
    bool online = true;
    std::optional<std::string> queue;
    std::optional<std::uint32_t> worker_pid;
    std::optional<std::int32_t> worker_nice;
    bool restarted = false; // the counters restarted during the interval

    bool operator==(const TopRow&) const = default;
};

struct TopFrame {
    double seconds = 0;   // the interval, as measured
    std::string watching; // watching_text()
    std::vector<TopRow> cpus;
};

std::string top_frame_text(const TopFrame& frame);
json::Value top_frame_json(const TopFrame& frame);

// `diagnose`: a table of the CPUs that ran completions, then the verdict line (the last line).
std::string diagnosis_text(const latency::Diagnosis& diagnosis);
json::Value diagnosis_json(const latency::Diagnosis& diagnosis);

} // namespace diowq::render
