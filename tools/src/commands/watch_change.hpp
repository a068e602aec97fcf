// SPDX-License-Identifier: GPL-2.0
// Watching or unwatching several filesystems as one change, for watch and unwatch: each in turn;
// when one fails, those already changed are changed back, newest first (a Transaction), and the
// Failure says what failed and, for each of the others, whether it was put back.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "system/mount_root.hpp"

namespace diowq::commands {

struct WatchChange {
    std::function<void(int fd)> apply; // the change: watch, or unwatch
    std::function<void(int fd)> undo;  // its opposite
    std::string undone;                // how a root is once put back: "no longer watched"
    std::string kept; // how a root is left when putting it back failed: "still watched"
};

void change_watches(const std::vector<const sys::MountRoot*>& roots, const WatchChange& change);

} // namespace diowq::commands
