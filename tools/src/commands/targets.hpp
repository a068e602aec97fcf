// SPDX-License-Identifier: GPL-2.0
// Opening and checking every PATH argument of a command before anything is sent.
#pragma once

#include <string>
#include <vector>

#include "commands/tuning.hpp"
#include "system/mount_root.hpp"

namespace diowq::commands {

// Checks every path and reports all the bad ones at once (diowq::Failure). Paths that name the
// same filesystem (bind mounts of its root) collapse into the first.
std::vector<sys::MountRoot> open_targets(const std::vector<std::string>& paths);

std::vector<Target> targets_of(const std::vector<sys::MountRoot>& roots);

} // namespace diowq::commands
