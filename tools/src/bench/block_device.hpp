// SPDX-License-Identifier: GPL-2.0
// What sysfs says about the disk under the filesystem: its directory (a partition's disk), and
// how it caches writes, which decides what an O_DSYNC write costs at completion.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace diowq::bench {

// /sys/dev/block/M:m resolved, or its disk's directory for a partition; nullopt when sysfs
// has no such block device.
std::optional<std::filesystem::path> disk_directory(std::uint32_t major, std::uint32_t minor,
                                                    const std::string& sys = "/sys");

// The disk's queue/write_cache ("write back", "write through") and queue/fua. An O_DSYNC write
// needs nothing more on a write-through cache; on a write-back one it is sent with FUA when the
// disk has it, else the cache is flushed in the write's completion work.
struct WriteCache {
    std::optional<std::string> mode;
    std::optional<bool> fua;
};

WriteCache write_cache_of(std::uint32_t major, std::uint32_t minor,
                          const std::string& sys = "/sys");

} // namespace diowq::bench
