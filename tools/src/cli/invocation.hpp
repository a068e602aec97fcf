// SPDX-License-Identifier: GPL-2.0
// What the command line asks for, once parsed and checked: one struct per subcommand. The commands
// get these, never CLI11 objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bench/options.hpp"
#include "model/model.hpp"

namespace diowq::cli {

struct GlobalOptions {
    bool json = false;   // -j: JSON instead of tables
    bool pretty = false; // -p: indented JSON (implies -j)

    bool operator==(const GlobalOptions&) const = default;
};

struct StatusOptions {
    std::optional<std::string> path;

    bool operator==(const StatusOptions&) const = default;
};

struct TuneOptions {
    std::vector<std::string> paths;
    std::optional<Mode> mode;                   // none: the module's default mode
    std::optional<int> nice;                    // only with Mode::unbound
    std::optional<std::vector<unsigned>> cpus;  // only with Mode::unbound
    std::optional<std::string> cgroup;          // exactly with Mode::cgroup: the directory
    std::optional<std::uint32_t> cgroup_weight; // only with Mode::cgroup

    bool operator==(const TuneOptions&) const = default;
};

struct UntuneOptions {
    std::vector<std::string> paths;
    bool all = false; // exclusive with paths

    bool operator==(const UntuneOptions&) const = default;
};

struct AutoOptions {
    std::optional<std::vector<std::string>> fstypes; // set: change; empty list: clear
    std::optional<Mode> default_mode;

    bool changes_something() const { return fstypes || default_mode; }
    bool operator==(const AutoOptions&) const = default;
};

struct MonitorOptions {
    bool operator==(const MonitorOptions&) const = default;
};

struct VersionOptions {
    bool operator==(const VersionOptions&) const = default;
};

struct ApplyOptions {
    std::string config;                    // the config file
    bool dry_run = false;                  // check and report, change nothing
    bool watch = false;                    // then tune listed mount points when mounted
    std::optional<int> mount_namespace_of; // a PID whose mount namespace to enter first

    bool operator==(const ApplyOptions&) const = default;
};

// Without all: show what is watched.
struct WatchOptions {
    bool all = false;

    bool operator==(const WatchOptions&) const = default;
};

struct UnwatchOptions {
    bool operator==(const UnwatchOptions&) const = default;
};

struct TopOptions {
    double interval_seconds = 1.0;
    std::optional<unsigned> iterations; // none: until interrupted

    bool operator==(const TopOptions&) const = default;
};

struct DiagnoseOptions {
    std::optional<std::string> path; // none: every filesystem
    unsigned seconds = 5;
    std::uint64_t threshold_ns = 1'000'000; // latency::default_threshold_ns

    bool operator==(const DiagnoseOptions&) const = default;
};

using Command = std::variant<std::monostate, StatusOptions, TuneOptions, UntuneOptions, AutoOptions,
                             MonitorOptions, VersionOptions, bench::BenchOptions, ApplyOptions,
                             WatchOptions, UnwatchOptions, TopOptions, DiagnoseOptions>;

struct Invocation {
    GlobalOptions global;
    Command command;
};

} // namespace diowq::cli
