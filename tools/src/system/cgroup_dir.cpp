// SPDX-License-Identifier: GPL-2.0
#include "system/cgroup_dir.hpp"

#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::sys {

UniqueFd open_cgroup_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        const int err = errno;
        throw Failure(
            fmt::format("cannot open the cgroup directory {}: {}{}", path, std::strerror(err),
                        err == ENOTDIR ? " (name the cgroup's directory, not a file)" : ""));
    }
    struct statfs fs {};
    if (::fstatfs(fd.get(), &fs) != 0) {
        throw Failure(fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
    }
    if (fs.f_type != CGROUP2_SUPER_MAGIC) {
        throw Failure(fmt::format("{} is not a cgroup v2 directory (a directory below a cgroup2 "
                                  "mount, e.g. /sys/fs/cgroup/<pod>)",
                                  path));
    }
    return fd;
}

std::string parent_dir(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

bool wait_gone(const std::string& path, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(interval);
    }
}

} // namespace diowq::sys
