// SPDX-License-Identifier: GPL-2.0
// The configurations of the A/B test: where the load runs (its own high-weight cgroup, or where
// diowqctl was started) and what is done about its completions (nothing, diowq in either mode,
// or every kworker of the load's CPU reniced to -20), and whether diowqctl's dispatch-latency
// program stays attached for the run (it does but for the one configuration that measures its
// cost). The isolation bench (--isolation) has configurations of its own: the load in pod A next
// to a CPU-bound neighbour in pod B, each diowq mode, with and without a cpu.max on pod A.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace diowq::bench {

// pods: the load in pod A, a CPU-bound neighbour in pod B on the same CPU (--isolation).
enum class Placement { outside, inside, pods };
enum class Treatment { off, highpri, unbound, renice, cgroup };

struct Configuration {
    std::string_view name;
    Placement placement;
    Treatment treatment;
    std::string_view description; // for --help and the table's legend
    bool unwatched = false;       // the BPF program is detached for the run
    bool capped = false;          // pods: pod A has --cpu-max for the run

    bool operator==(const Configuration&) const = default;
};

// Every configuration, in the order a matrix runs them and reports them.
const std::vector<Configuration>& all_configurations();

// The isolation bench's, in the order it runs and reports them.
const std::vector<Configuration>& isolation_configurations();

// The baseline the others are compared with.
inline constexpr std::string_view baseline_name = "outside_off";

// Either set's.
std::optional<Configuration> find_configuration(std::string_view name);

// The diowq mode a configuration tunes the filesystem in; nullopt: untuned.
std::optional<Mode> diowq_mode(const Configuration& configuration);

// "outside_off,inside_on" or "all": the configurations in the order given, without repeats.
// Throws std::invalid_argument naming the unknown ones. `isolation`: of the isolation bench's
// (and "all" is all of those); the two sets do not mix.
std::vector<Configuration> parse_configurations(std::string_view list, bool isolation = false);

// Names of all configurations (or the isolation bench's), comma-separated.
std::string configuration_names(bool isolation = false);

} // namespace diowq::bench
