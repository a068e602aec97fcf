// SPDX-License-Identifier: GPL-2.0
// Applying a plan as one change: the listed mounts are tuned first (each through tune_all, the
// path of `diowqctl tune`), the module's settings are set last (one SET_CONFIG, all or nothing
// in the kernel). If any step fails, what this run changed is put back, newest first, and the
// Failure says what failed and what was rolled back. The settings go last because a new
// auto_fstypes tunes every mounted filesystem of those types at once, which cannot be undone by
// setting the list back.
#pragma once

#include <string>
#include <vector>

#include "commands/tuning.hpp"
#include "config/plan.hpp"

namespace diowq::commands {

class SettingsBackend {
public:
    virtual ~SettingsBackend() = default;
    virtual void set_config(const ConfigChange& change) = 0;
};

// A listed mount that is mounted now, opened and checked.
struct MountStep {
    Target target;
    Mode mode = Mode::highpri;
};

// Returns one line per step: "tuned /srv/data: highpri", "/srv/logs: already unbound", ... With
// dry_run, nothing is changed and the lines say what would be done.
std::vector<std::string> apply_steps(TuningBackend& tuning, SettingsBackend& settings,
                                     const std::vector<MountStep>& mounts,
                                     const ConfigChange& change, bool dry_run);

} // namespace diowq::commands
