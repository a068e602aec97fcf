// SPDX-License-Identifier: GPL-2.0
#include "system/mount_namespace.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sched.h>

#include <fmt/format.h>

#include "errors.hpp"
#include "system/unique_fd.hpp"

namespace diowq::sys {

void enter_mount_namespace(int pid) {
    const std::string path = fmt::format("/proc/{}/ns/mnt", pid);
    const UniqueFd ns(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) {
        throw Failure(fmt::format("{}: {}", path, std::strerror(errno)));
    }
    if (setns(ns.get(), CLONE_NEWNS) != 0) {
        throw Failure(fmt::format(
            "entering the mount namespace of process {}: {}{}", pid, std::strerror(errno),
            errno == EPERM ? " (needs CAP_SYS_ADMIN and CAP_SYS_CHROOT)" : ""));
    }
}

} // namespace diowq::sys
