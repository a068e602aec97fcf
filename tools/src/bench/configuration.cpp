// SPDX-License-Identifier: GPL-2.0
#include "bench/configuration.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace diowq::bench {

const std::vector<Configuration>& all_configurations() {
    static const std::vector<Configuration> configurations = {
        {"outside_off", Placement::outside, Treatment::off,
         "the baseline: where diowqctl runs, kernel's completion queue"},
        {"inside_off", Placement::inside, Treatment::off,
         "in the high-weight cgroup, kernel's completion queue: the starvation"},
        {"inside_on", Placement::inside, Treatment::highpri, "in the cgroup, tuned highpri"},
        {"inside_on_unbound", Placement::inside, Treatment::unbound,
         "in the cgroup, tuned unbound"},
        {"outside_on", Placement::outside, Treatment::highpri,
         "no contention, tuned highpri: diowq's cost"},
        {"inside_renice", Placement::inside, Treatment::renice,
         "in the cgroup, untuned, every kworker of the CPU reniced to -20 before the run"},
        {"outside_unwatched", Placement::outside, Treatment::off,
         "the baseline with diowqctl's BPF program detached: the program's cost", true},
    };
    return configurations;
}

const std::vector<Configuration>& isolation_configurations() {
    static const std::vector<Configuration> configurations = {
        {"pods_off", Placement::pods, Treatment::off,
         "pod A (the load) next to pod B (a CPU hog, same CPU, same weight): kernel's queue"},
        {"pods_highpri", Placement::pods, Treatment::highpri,
         "the pods, tuned highpri: completions outside both pods at nice -20"},
        {"pods_unbound", Placement::pods, Treatment::unbound,
         "the pods, tuned unbound: completions outside both pods, on any CPU"},
        {"pods_cgroup", Placement::pods, Treatment::cgroup,
         "the pods, tuned cgroup: completions in a leaf below pod A"},
        {"capped_off", Placement::pods, Treatment::off,
         "the pods with pod A's cpu.max (--cpu-max): kernel's queue", false, true},
        {"capped_highpri", Placement::pods, Treatment::highpri,
         "the pods with pod A's cpu.max, tuned highpri", false, true},
        {"capped_unbound", Placement::pods, Treatment::unbound,
         "the pods with pod A's cpu.max, tuned unbound", false, true},
        {"capped_cgroup", Placement::pods, Treatment::cgroup,
         "the pods with pod A's cpu.max, tuned cgroup", false, true},
    };
    return configurations;
}

std::optional<Configuration> find_configuration(std::string_view name) {
    for (const auto* set : {&all_configurations(), &isolation_configurations()}) {
        const auto it = std::find_if(set->begin(), set->end(),
                                     [&](const Configuration& c) { return c.name == name; });
        if (it != set->end()) {
            return *it;
        }
    }
    return std::nullopt;
}

std::optional<Mode> diowq_mode(const Configuration& configuration) {
    switch (configuration.treatment) {
    case Treatment::highpri:
        return Mode::highpri;
    case Treatment::unbound:
        return Mode::unbound;
    case Treatment::cgroup:
        return Mode::cgroup;
    case Treatment::off:
    case Treatment::renice:
        break;
    }
    return std::nullopt;
}

std::vector<Configuration> parse_configurations(std::string_view list, bool isolation) {
    const auto& set = isolation ? isolation_configurations() : all_configurations();
    if (list == "all") {
        return set;
    }
    std::vector<Configuration> chosen;
    std::vector<std::string> unknown;
    for (const auto& name : split_list(list)) {
        const auto it = std::find_if(set.begin(), set.end(),
                                     [&](const Configuration& c) { return c.name == name; });
        const auto configuration = it == set.end() ? std::nullopt : std::optional(*it);
        if (!configuration) {
            unknown.push_back(name.empty() ? "''" : name);
        } else if (std::find(chosen.begin(), chosen.end(), *configuration) == chosen.end()) {
            chosen.push_back(*configuration);
        }
    }
    if (!unknown.empty()) {
        throw std::invalid_argument(fmt::format(
            "unknown configuration {} ({}configurations: {}, all)", join_list(unknown, ", "),
            isolation ? "--isolation's " : "", configuration_names(isolation)));
    }
    if (chosen.empty()) {
        throw std::invalid_argument("no configuration named");
    }
    return chosen;
}

std::string configuration_names(bool isolation) {
    std::vector<std::string> names;
    for (const auto& c : isolation ? isolation_configurations() : all_configurations()) {
        names.emplace_back(c.name);
    }
    return join_list(names, ", ");
}

} // namespace diowq::bench
