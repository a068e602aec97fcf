// SPDX-License-Identifier: GPL-2.0
#include "cli/validators.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "system/cpulist.hpp"

namespace diowq::cli {

CLI::Validator mode_validator() {
    return CLI::Validator(
        [](const std::string& text) -> std::string {
            if (parse_mode(text)) {
                return {};
            }
            return fmt::format("unknown mode '{}' (modes: {})", text, mode_names());
        },
        "");
}

CLI::Validator default_mode_validator() {
    return CLI::Validator(
        [](const std::string& text) -> std::string {
            const auto mode = parse_mode(text);
            if (mode && can_be_default(*mode)) {
                return {};
            }
            if (mode) {
                return fmt::format("'{}' cannot be a default mode: it needs a cgroup directory "
                                   "per filesystem (diowqctl tune --mode cgroup --cgroup DIR)",
                                   text);
            }
            return fmt::format("unknown mode '{}' (default modes: {})", text, default_mode_names());
        },
        "");
}

CLI::Validator cgroup_weight_validator() {
    return CLI::Range(DIOWQ_CG_WEIGHT_MIN, DIOWQ_CG_WEIGHT_MAX)
        .description("")
        .name("cgroup weight");
}

CLI::Validator cpulist_validator() {
    return CLI::Validator(
        [](const std::string& text) -> std::string {
            try {
                sys::parse_cpulist(text);
            } catch (const std::invalid_argument& e) {
                return fmt::format("{} (expected a CPU list like 0-1,3)", e.what());
            }
            return {};
        },
        "");
}

std::string check_fstype_list(const std::string& text) {
    if (text.size() > DIOWQ_AUTO_FSTYPES_MAXLEN) {
        return fmt::format("the list is longer than {} characters", DIOWQ_AUTO_FSTYPES_MAXLEN);
    }
    if (text.empty()) {
        return {}; // clears the list
    }
    std::vector<std::string> seen;
    for (const auto& name : split_list(text)) {
        const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        });
        if (!valid) {
            return fmt::format("'{}' is not a list of filesystem types like xfs,ext4", text);
        }
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
            return fmt::format("'{}' is listed twice", name);
        }
        seen.push_back(name);
    }
    if (text.back() == ',') {
        return fmt::format("'{}' is not a list of filesystem types like xfs,ext4", text);
    }
    return {};
}

CLI::Validator fstype_list_validator() {
    return CLI::Validator(check_fstype_list, "");
}

Mode parse_checked_mode(const std::string& text) {
    const auto mode = parse_mode(text);
    if (!mode) {
        throw std::logic_error("mode not validated");
    }
    return *mode;
}

std::vector<std::string> parse_checked_fstypes(const std::string& text) {
    return split_list(text);
}

} // namespace diowq::cli
