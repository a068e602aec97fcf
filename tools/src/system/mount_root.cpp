// SPDX-License-Identifier: GPL-2.0
#include "system/mount_root.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::sys {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Failure(fmt::format("{}: {}", path, what));
}

// statx knows (since 5.8) whether a path is the root of a mount. Without it, a directory whose
// parent is on another device, or that is its own parent ("/"), is one.
bool is_mount_root(int fd, const struct statx& stx) {
    if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) {
        return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    }
    struct stat parent {};
    if (fstatat(fd, "..", &parent, 0) != 0) {
        return false;
    }
    const dev_t dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
    return parent.st_dev != dev || parent.st_ino == stx.stx_ino;
}

const MountInfoEntry* find_mount(const std::vector<MountInfoEntry>& mounts,
                                 const struct statx& stx) {
    if (!(stx.stx_mask & STATX_MNT_ID)) {
        return nullptr;
    }
    for (const auto& mount : mounts) {
        if (mount.mount_id == stx.stx_mnt_id) {
            return &mount;
        }
    }
    return nullptr;
}

} // namespace

std::optional<std::string> supported_fstype(std::uint64_t magic, std::string_view mountinfo_type) {
    if (magic == xfs_magic && (mountinfo_type.empty() || mountinfo_type == "xfs")) {
        return "xfs";
    }
    if (magic == ext4_magic && (mountinfo_type.empty() || mountinfo_type == "ext4")) {
        return "ext4";
    }
    return std::nullopt;
}

MountRoot open_mount_root(const std::string& path, const std::vector<MountInfoEntry>& mounts) {
    if (path.empty()) {
        fail("''", "an empty path names no mount point");
    }
    // Not O_PATH: the kernel resolves DIOWQ_A_FD like any fd argument, and an O_PATH fd is not
    // accepted everywhere. Reading a directory needs no privilege beyond reaching it.
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        switch (errno) {
        case ENOENT:
            fail(path, "no such file or directory");
        case ENOTDIR:
            fail(path, "not a directory, so not a mount point");
        default:
            fail(path, std::strerror(errno));
        }
    }

    struct statx stx {};
    if (statx(fd.get(), "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx) != 0) {
        fail(path, fmt::format("cannot stat: {}", std::strerror(errno)));
    }
    if (!is_mount_root(fd.get(), stx)) {
        fail(path, "not a mount point (name the directory a filesystem is mounted on)");
    }

    struct statfs fs {};
    if (fstatfs(fd.get(), &fs) != 0) {
        fail(path, fmt::format("cannot statfs: {}", std::strerror(errno)));
    }
    const auto magic = static_cast<std::uint64_t>(fs.f_type);
    const MountInfoEntry* mount = find_mount(mounts, stx);
    const std::string_view mounted_type = mount ? std::string_view(mount->fstype) : "";
    auto fstype = supported_fstype(magic, mounted_type);
    if (!fstype) {
        fail(path,
             fmt::format("{} is not supported (diowq tunes xfs and ext4)",
                         mounted_type.empty() ? fmt::format("the filesystem (magic {:#x})", magic)
                                              : fmt::format("{}", mounted_type)));
    }
    return MountRoot{path, std::move(fd), stx.stx_dev_major, stx.stx_dev_minor, std::move(*fstype)};
}

} // namespace diowq::sys
