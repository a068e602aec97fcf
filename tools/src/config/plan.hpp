// SPDX-License-Identifier: GPL-2.0
// What applying a config file changes, worked out from the file and the module's current
// settings before anything is sent: the settings that differ, and the mode each listed mount is
// to be tuned in (its own, else the file's default mode, else the module's).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config_file.hpp"
#include "model/model.hpp"

namespace diowq::config {

struct PlannedMount {
    std::string path;
    Mode mode = Mode::highpri;
    unsigned line = 0;

    bool operator==(const PlannedMount&) const = default;
};

struct Plan {
    ConfigChange change; // only the settings that differ from the module's
    Config before;       // the module's settings when the plan was made
    std::vector<PlannedMount> mounts;

    bool changes_config() const { return change.default_mode || change.auto_fstypes; }
};

// Throws diowq::Failure ("FILE:LINE: ...") for types the module does not support.
Plan make_plan(const ConfigFile& file, const Config& module);

// Lines that say what the settings part of the plan does, e.g. "default mode: highpri ->
// unbound"; "(unchanged)" when it is already so.
std::vector<std::string> describe_config(const ConfigFile& file, const Plan& plan);

} // namespace diowq::config
