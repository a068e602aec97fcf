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

std::optional<Configuration> find_configuration(std::string_view name) {
    const auto& all = all_configurations();
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const Configuration& c) { return c.name == name; });
    return it == all.end() ? std::nullopt : std::optional(*it);
}

std::optional<Mode> diowq_mode(const Configuration& configuration) {
    switch (configuration.treatment) {
    case Treatment::highpri:
        return Mode::highpri;
    case Treatment::unbound:
        return Mode::unbound;
    case Treatment::off:
    case Treatment::renice:
        break;
    }
    return std::nullopt;
}

std::vector<Configuration> parse_configurations(std::string_view list) {
    if (list == "all") {
        return all_configurations();
    }
    std::vector<Configuration> chosen;
    std::vector<std::string> unknown;
    for (const auto& name : split_list(list)) {
        const auto configuration = find_configuration(name);
        if (!configuration) {
            unknown.push_back(name.empty() ? "''" : name);
        } else if (std::find(chosen.begin(), chosen.end(), *configuration) == chosen.end()) {
            chosen.push_back(*configuration);
        }
    }
    if (!unknown.empty()) {
        throw std::invalid_argument(
            fmt::format("unknown configuration {} (configurations: {}, all)",
                        join_list(unknown, ", "), configuration_names()));
    }
    if (chosen.empty()) {
        throw std::invalid_argument("no configuration named");
    }
    return chosen;
}

std::string configuration_names() {
    std::vector<std::string> names;
    for (const auto& c : all_configurations()) {
        names.emplace_back(c.name);
    }
    return join_list(names, ", ");
}

} // namespace diowq::bench
