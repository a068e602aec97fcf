// SPDX-License-Identifier: GPL-2.0
// A path under GoogleTest's temporary directory that no other test process uses: ctest runs
// every test case as a process of its own, in parallel with -j, so fixed names would collide.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>

#include <unistd.h>

#include <gtest/gtest.h>

namespace diowq::testing_support {

inline std::filesystem::path temp_path(std::string_view stem) {
    static std::atomic<unsigned> counter{0};
    return std::filesystem::path(testing::TempDir()) /
           (std::string(stem) + "-" + std::to_string(getpid()) + "-" +
            std::to_string(counter.fetch_add(1)));
}

} // namespace diowq::testing_support
