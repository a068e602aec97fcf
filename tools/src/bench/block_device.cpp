// SPDX-License-Identifier: GPL-2.0
#include "bench/block_device.hpp"

#include <fstream>

#include <fmt/format.h>

namespace diowq::bench {

namespace fs = std::filesystem;

std::optional<fs::path> disk_directory(std::uint32_t major, std::uint32_t minor,
                                       const std::string& sys) {
    std::error_code error;
    fs::path block = fs::canonical(fmt::format("{}/dev/block/{}:{}", sys, major, minor), error);
    if (error) {
        return std::nullopt;
    }
    if (fs::exists(block / "partition", error)) {
        block = block.parent_path();
    }
    return block;
}

namespace {

std::optional<std::string> first_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) {
        return std::nullopt;
    }
    return line;
}

} // namespace

WriteCache write_cache_of(std::uint32_t major, std::uint32_t minor, const std::string& sys) {
    WriteCache cache;
    const auto disk = disk_directory(major, minor, sys);
    if (!disk) {
        return cache;
    }
    cache.mode = first_line(*disk / "queue/write_cache");
    if (const auto fua = first_line(*disk / "queue/fua"); fua == "0" || fua == "1") {
        cache.fua = *fua == "1";
    }
    return cache;
}

} // namespace diowq::bench
