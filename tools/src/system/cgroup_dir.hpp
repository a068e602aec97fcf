// SPDX-License-Identifier: GPL-2.0
// Mode cgroup's directories, as diowqctl handles them: the cgroup v2 directory a tune names is
// opened once and sent to the module as a file descriptor (so the module makes its leaf below
// exactly what was checked here), and a leaf that is being removed is waited for, because the
// module's netlink requests do not wait for it (see DIOWQ_CMD_UNTUNE in include/uapi/diowq.h).
#pragma once

#include <chrono>
#include <string>

#include "system/unique_fd.hpp"

namespace diowq::sys {

// Opens `path` O_RDONLY | O_DIRECTORY; throws Failure saying why when it cannot be opened or is
// no cgroup v2 directory.
UniqueFd open_cgroup_dir(const std::string& path);

// The directory a leaf cgroup was made in: "/sys/fs/cgroup/pod" for ".../pod/diowq-vdb".
std::string parent_dir(const std::string& path);

// Polls until `path` does not exist any more; false when it still does after `timeout`.
bool wait_gone(const std::string& path, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(20));

} // namespace diowq::sys
