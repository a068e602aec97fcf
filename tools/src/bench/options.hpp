// SPDX-License-Identifier: GPL-2.0
// Everything `diowqctl bench` is asked to do, parsed and checked (cli/bench.cpp fills it in).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/configuration.hpp"
#include "bench/engine.hpp"
#include "bench/isolation.hpp"
#include "bench/kubernetes.hpp"

namespace diowq::bench {

// What the load's writes meet, and so what their completions have to do (the work that makes a
// kernel queue them: see docs/benchmarks.md).
enum class Pattern {
    overwrite, // random writes into a file written in full once: nothing left to do at
               // completion (7.x completes these inline, in the bio's end_io)
    unwritten, // random writes into a file fallocated afresh before each run: each converts an
               // unwritten extent at completion (a database's preallocated segments)
    append,    // sequential writes that extend a file emptied before each run: each moves
               // i_size at completion (a log); at --size the file is emptied again
    dsync,     // overwrites with O_DSYNC: without FUA the disk's cache is flushed at completion
};

std::optional<Pattern> parse_pattern(std::string_view name);
std::string pattern_name(Pattern pattern);
// --layout, the older option: write is overwrite, fallocate is unwritten.
std::optional<Pattern> parse_layout(std::string_view name);
// How the file is laid out before a run: "write" (in full), "fallocate" or "empty".
std::string layout_name(Pattern pattern);

enum class Progress { automatic, bar, lines, none };

// What runs the load: the built-in engine, or fio with the same options (the cross-check).
enum class EngineKind { builtin, fio };

struct BenchOptions {
    std::string directory; // on the filesystem under test; the file is created in it
    EngineOptions engine;
    EngineKind engine_kind = EngineKind::builtin;
    std::uint64_t file_size = std::uint64_t{1} << 30;
    Pattern pattern = Pattern::overwrite;
    std::optional<unsigned> cpu; // job 0's; none: the highest-numbered CPU this process may use
    // Submitters, each on a CPU of its own with a file of its own, all in the same place.
    unsigned jobs = 1;
    std::optional<unsigned> weight;        // none: 100 x online CPUs ("auto"); flat only
    std::string cgroup_parent;             // relative to the cgroup2 root; "" is the root itself
    Hierarchy hierarchy = Hierarchy::flat; // the load's cgroup: one group, or nested as kubelet
    // With a k8s hierarchy: the CPUs of the node whose weights the levels get (none: online
    // CPUs), so that a small machine can show a big node's weights.
    std::optional<unsigned> node_cpus;
    std::vector<Configuration> configurations;
    bool matrix = false;
    unsigned repeat = 1;
    // An unrecorded run (outside, untuned) before the first: the first minutes of a boot, a
    // fresh file and, under emulation, code not translated yet make the first run slow.
    std::chrono::milliseconds warmup{0};
    std::optional<std::string> json_file;
    std::optional<std::string> plot_file;
    // Record the module's dispatch latency when it is loaded (--no-latency: not).
    bool latency = true;
    Progress progress = Progress::automatic;
    // --isolation: the load in pod A next to a CPU-bound neighbour in pod B; the configurations
    // are then isolation_configurations()'.
    std::optional<IsolationOptions> isolation;

    bool operator==(const BenchOptions&) const = default;
};

// The configurations `--matrix` runs when none are named.
inline constexpr const char* default_matrix = "outside_off,inside_off,inside_on";
// --isolation runs them all unless told.
inline constexpr const char* default_isolation_matrix = "all";
inline constexpr unsigned default_matrix_repeat = 5;
inline constexpr std::chrono::milliseconds default_matrix_warmup{10'000};

// At most this many --jobs (the engine's threads; the machine's CPUs limit it further).
inline constexpr unsigned max_jobs = 1024;
// At most this many --node-cpus: kubelet's shares reach their maximum, 262144, at 256 CPUs.
inline constexpr unsigned max_node_cpus = 1024;

// Kubernetes' weight for a pod's cgroup on a machine with `cpus` CPUs, clamped to cpu.weight's
// range 1..10000.
unsigned auto_weight(unsigned cpus);

// The dispatch latency chart next to the IOPS chart: "out.svg" -> "out-latency.svg".
std::string latency_plot_path(const std::string& plot_file);

} // namespace diowq::bench
