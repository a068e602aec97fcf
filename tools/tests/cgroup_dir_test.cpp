// SPDX-License-Identifier: GPL-2.0
// Mode cgroup's directories on the host: what is refused before anything is sent to the module,
// the parent of a leaf (for rollbacks), and the bounded wait for a leaf to go.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "errors.hpp"
#include "system/cgroup_dir.hpp"
#include "temp_path.hpp"

namespace diowq::sys {
namespace {

using namespace std::chrono_literals;
using testing_support::temp_path;

std::string failure_of(const std::string& path) {
    try {
        open_cgroup_dir(path);
    } catch (const Failure& e) {
        return e.what();
    }
    return "no failure";
}

TEST(CgroupDir, AMissingDirectoryIsRefusedWithTheReason) {
    const auto path = temp_path("missing").string();
    EXPECT_EQ(failure_of(path),
              "cannot open the cgroup directory " + path + ": No such file or directory");
}

TEST(CgroupDir, AFileIsRefusedAsNoDirectory) {
    const auto path = temp_path("file").string();
    std::ofstream(path) << "x";
    EXPECT_EQ(failure_of(path), "cannot open the cgroup directory " + path +
                                    ": Not a directory (name the cgroup's directory, not a file)");
    std::filesystem::remove(path);
}

TEST(CgroupDir, ADirectoryNotOnCgroup2IsRefused) {
    const auto path = temp_path("dir").string();
    std::filesystem::create_directory(path);
    EXPECT_EQ(failure_of(path), path + " is not a cgroup v2 directory (a directory below a "
                                       "cgroup2 mount, e.g. /sys/fs/cgroup/<pod>)");
    std::filesystem::remove(path);
}

TEST(CgroupDir, ParentOfALeaf) {
    EXPECT_EQ(parent_dir("/sys/fs/cgroup/pod/diowq-vdb"), "/sys/fs/cgroup/pod");
    EXPECT_EQ(parent_dir("/diowq-vdb"), "/");
    EXPECT_EQ(parent_dir("diowq-vdb"), ".");
}

TEST(CgroupDir, WaitGoneReturnsOnceTheDirectoryIsRemoved) {
    const auto path = temp_path("leaf");
    std::filesystem::create_directory(path);
    std::thread remover([&path] {
        std::this_thread::sleep_for(50ms);
        std::filesystem::remove(path);
    });
    EXPECT_TRUE(wait_gone(path.string(), 5s, 5ms));
    remover.join();
    EXPECT_TRUE(wait_gone(path.string(), 0ms));
}

TEST(CgroupDir, WaitGoneGivesUpAfterItsTimeout) {
    const auto path = temp_path("stays");
    std::filesystem::create_directory(path);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(wait_gone(path.string(), 100ms, 10ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
    std::filesystem::remove(path);
}

} // namespace
} // namespace diowq::sys
