// SPDX-License-Identifier: GPL-2.0
#include "config/plan.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace diowq::config {

namespace {

std::vector<std::string> sorted(std::vector<std::string> list) {
    std::sort(list.begin(), list.end());
    return list;
}

std::string list_or_none(const std::vector<std::string>& list) {
    return list.empty() ? "none" : join_list(list);
}

std::string mode_or_unknown(const std::optional<Mode>& mode) {
    return mode ? mode_name(*mode) : "unknown";
}

} // namespace

Plan make_plan(const ConfigFile& file, const Config& module) {
    Plan plan;
    plan.before = module;
    if (file.fstypes) {
        std::vector<std::string> unsupported;
        for (const auto& type : *file.fstypes) {
            if (std::find(module.supported_fstypes.begin(), module.supported_fstypes.end(), type) ==
                module.supported_fstypes.end()) {
                unsupported.push_back(type);
            }
        }
        if (!unsupported.empty()) {
            throw Failure(fmt::format("{}fstype: {} not supported by the module (supported: {})\n"
                                      "nothing was changed",
                                      file.where(file.fstypes_line), join_list(unsupported, ", "),
                                      join_list(module.supported_fstypes, ", ")));
        }
        if (sorted(*file.fstypes) != sorted(module.auto_fstypes)) {
            plan.change.auto_fstypes = file.fstypes;
        }
    }
    if (file.default_mode && file.default_mode != module.default_mode) {
        plan.change.default_mode = file.default_mode;
    }
    const Mode default_mode =
        file.default_mode.value_or(module.default_mode.value_or(Mode::highpri));
    for (const auto& mount : file.mounts) {
        plan.mounts.push_back({mount.path, mount.mode.value_or(default_mode), mount.line});
    }
    return plan;
}

std::vector<std::string> describe_config(const ConfigFile& file, const Plan& plan) {
    std::vector<std::string> lines;
    if (file.default_mode) {
        lines.push_back(
            plan.change.default_mode
                ? fmt::format("default mode: {} -> {}", mode_or_unknown(plan.before.default_mode),
                              mode_name(*file.default_mode))
                : fmt::format("default mode: {} (unchanged)", mode_name(*file.default_mode)));
    }
    if (file.fstypes) {
        lines.push_back(plan.change.auto_fstypes
                            ? fmt::format("auto fstypes: {} -> {}",
                                          list_or_none(plan.before.auto_fstypes),
                                          list_or_none(*file.fstypes))
                            : fmt::format("auto fstypes: {} (unchanged)",
                                          list_or_none(plan.before.auto_fstypes)));
    }
    return lines;
}

} // namespace diowq::config
