// SPDX-License-Identifier: GPL-2.0
// The checks every PATH argument passes before the kernel is asked anything: it exists, it is the
// root of a mount, and the filesystem mounted there is one diowq tunes. The kernel checks again;
// checking first lets a multi-path command refuse before it changes anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "system/mountinfo.hpp"
#include "system/unique_fd.hpp"

namespace diowq::sys {

// statfs(2) f_type of the filesystems diowq supports (linux/magic.h).
inline constexpr std::uint64_t xfs_magic = 0x58465342;
inline constexpr std::uint64_t ext4_magic = 0xEF53; // also ext2 and ext3, told apart by name

struct MountRoot {
    std::string path; // as given on the command line
    UniqueFd fd;      // O_RDONLY | O_DIRECTORY: what DIOWQ_A_FD carries
    std::uint32_t dev_major = 0;
    std::uint32_t dev_minor = 0;
    std::string fstype;
};

// Opens `path` and checks it; throws diowq::Failure("PATH: what is wrong").
MountRoot open_mount_root(const std::string& path, const std::vector<MountInfoEntry>& mounts);

// The supported type for a statfs magic and the type name mountinfo gives (empty if unknown), or
// nullopt. The name decides between ext4 and ext2/ext3, which share the magic.
std::optional<std::string> supported_fstype(std::uint64_t magic, std::string_view mountinfo_type);

} // namespace diowq::sys
