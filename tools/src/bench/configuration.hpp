// SPDX-License-Identifier: GPL-2.0
// The configurations of the A/B test: where the load runs (its own high-weight cgroup, or where
// diowqctl was started) and what is done about its completions (nothing, diowq in either mode,
// or every kworker of the load's CPU reniced to -20), and whether diowqctl's dispatch-latency
// program stays attached for the run (it does but for the one configuration that measures its
// cost).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace diowq::bench {

enum class Placement { outside, inside };
enum class Treatment { off, highpri, unbound, renice };

struct Configuration {
    std::string_view name;
    Placement placement;
    Treatment treatment;
    std::string_view description; // for --help and the table's legend
    bool unwatched = false;       // the BPF program is detached for the run

    bool operator==(const Configuration&) const = default;
};

// Every configuration, in the order a matrix runs them and reports them.
const std::vector<Configuration>& all_configurations();

// The baseline the others are compared with.
inline constexpr std::string_view baseline_name = "outside_off";

std::optional<Configuration> find_configuration(std::string_view name);

// The diowq mode a configuration tunes the filesystem in; nullopt: untuned.
std::optional<Mode> diowq_mode(const Configuration& configuration);

// "outside_off,inside_on" or "all": the configurations in the order given, without repeats.
// Throws std::invalid_argument naming the unknown ones.
std::vector<Configuration> parse_configurations(std::string_view list);

// Names of all configurations, comma-separated.
std::string configuration_names();

} // namespace diowq::bench
