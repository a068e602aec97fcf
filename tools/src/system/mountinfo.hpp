// SPDX-License-Identifier: GPL-2.0
// /proc/self/mountinfo: which mounts exist, their filesystem type and their device. Used to name a
// filesystem type in errors and to show where each tuned superblock is mounted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace diowq::sys {

struct MountInfoEntry {
    std::uint64_t mount_id = 0;
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
    std::string root;        // the directory of the filesystem mounted here ("/": all of it)
    std::string mount_point; // unescaped
    std::string fstype;
    std::string source;

    bool operator==(const MountInfoEntry&) const = default;
};

// Parses the text of a mountinfo file; lines it cannot read are skipped.
std::vector<MountInfoEntry> parse_mountinfo(std::string_view text);

// Reads /proc/self/mountinfo; empty when it cannot be read (then nothing is shown, nothing fails).
std::vector<MountInfoEntry> read_mountinfo();

// Where the whole filesystem on `major:minor` is mounted, in mount order, without repeats.
std::vector<std::string> mountpoints_of(const std::vector<MountInfoEntry>& mounts,
                                        std::uint32_t major, std::uint32_t minor);

} // namespace diowq::sys
