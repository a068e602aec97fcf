// SPDX-License-Identifier: GPL-2.0
// Reading and writing an unbound queue's nice and cpumask, in a directory laid out like
// /sys/devices/virtual/workqueue.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "errors.hpp"
#include "system/workqueue_sysfs.hpp"
#include "temp_path.hpp"

namespace diowq::sys {
namespace {

class WorkqueueSysfsTest : public testing::Test {
protected:
    void SetUp() override {
        root_ = testing_support::temp_path("diowq-wq-test");
        std::filesystem::create_directories(root_ / "diowq-vdb");
        std::ofstream(root_ / "diowq-vdb" / "nice") << "-20\n";
        std::ofstream(root_ / "diowq-vdb" / "cpumask") << "3\n";
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    std::string contents(const char* file) const {
        std::ifstream in(root_ / "diowq-vdb" / file);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

    std::filesystem::path root_;
};

TEST_F(WorkqueueSysfsTest, Reads) {
    const WorkqueueSysfs sysfs(root_.string());
    EXPECT_EQ(sysfs.read("diowq-vdb"), (WorkqueueTunables{-20, "3"}));
}

TEST_F(WorkqueueSysfsTest, WritesOneValueEach) {
    const WorkqueueSysfs sysfs(root_.string());
    sysfs.write_nice("diowq-vdb", -5);
    sysfs.write_cpumask("diowq-vdb", "1,00000000");
    EXPECT_EQ(contents("nice"), "-5");
    EXPECT_EQ(contents("cpumask"), "1,00000000");
}

TEST_F(WorkqueueSysfsTest, MissingQueueFails) {
    const WorkqueueSysfs sysfs(root_.string());
    EXPECT_THROW(sysfs.read("diowq-vdc"), Failure);
    EXPECT_THROW(sysfs.write_nice("diowq-vdc", 0), Failure);
}

TEST_F(WorkqueueSysfsTest, RefusesNamesThatLeaveTheDirectory) {
    const WorkqueueSysfs sysfs(root_.string());
    for (const char* bad : {"", ".", "..", "../diowq-vdb", "a/b"}) {
        EXPECT_THROW(sysfs.write_nice(bad, 0), Failure) << bad;
    }
}

TEST_F(WorkqueueSysfsTest, GarbageNiceFails) {
    std::ofstream(root_ / "diowq-vdb" / "nice") << "low\n";
    const WorkqueueSysfs sysfs(root_.string());
    EXPECT_THROW(sysfs.read("diowq-vdb"), Failure);
}

} // namespace
} // namespace diowq::sys
