// SPDX-License-Identifier: GPL-2.0
// Mount points: /proc/self/mountinfo parsing, the supported-type decision, and the checks of a
// PATH argument that need no particular mount to exist.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <gtest/gtest.h>

#include "errors.hpp"
#include "system/mount_root.hpp"
#include "system/mountinfo.hpp"
#include "temp_path.hpp"

namespace diowq::sys {
namespace {

constexpr const char* sample =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "40 27 254:16 / /srv/data rw,relatime shared:20 master:3 - xfs /dev/vdb rw,attr2\n"
    "41 27 254:16 /sub /srv/sub rw,relatime - xfs /dev/vdb rw\n"
    "42 27 254:16 / /srv/my\\040data rw - xfs /dev/vdb rw\n"
    "this line is not a mount\n"
    "43 27 254:32 / /srv/logs rw - ext4 /dev/vdc rw";

TEST(MountInfo, ParsesFieldsAndOptionalTags) {
    const auto mounts = parse_mountinfo(sample);
    ASSERT_EQ(mounts.size(), 6u);
    EXPECT_EQ(mounts[2], (MountInfoEntry{40, 254, 16, "/", "/srv/data", "xfs", "/dev/vdb"}));
    EXPECT_EQ(mounts[5], (MountInfoEntry{43, 254, 32, "/", "/srv/logs", "ext4", "/dev/vdc"}));
}

TEST(MountInfo, UnescapesOctal) {
    const auto mounts = parse_mountinfo(sample);
    EXPECT_EQ(mounts[4].mount_point, "/srv/my data");
}

TEST(MountInfo, MountpointsOfAFilesystemAreItsRootMounts) {
    const auto mounts = parse_mountinfo(sample);
    EXPECT_EQ(mountpoints_of(mounts, 254, 16),
              (std::vector<std::string>{"/srv/data", "/srv/my data"}));
    EXPECT_TRUE(mountpoints_of(mounts, 8, 1).empty());
}

// The mount seen last on a path is the one that path is on now.
const MountInfoEntry* last_mount_on(const std::vector<MountInfoEntry>& mounts,
                                    const std::string& path) {
    const auto it = std::find_if(mounts.rbegin(), mounts.rend(),
                                 [&](const MountInfoEntry& m) { return m.mount_point == path; });
    return it == mounts.rend() ? nullptr : &*it;
}

TEST(MountInfo, ReadsOurOwnProcAsStatSeesIt) {
    struct stat proc {};
    if (stat("/proc/self/mountinfo", &proc) != 0 || stat("/proc", &proc) != 0) {
        GTEST_SKIP() << "no /proc";
    }
    const auto mounts = read_mountinfo();
    const MountInfoEntry* proc_mount = last_mount_on(mounts, "/proc");
    ASSERT_NE(proc_mount, nullptr);
    EXPECT_EQ(proc_mount->fstype, "proc");
    EXPECT_EQ(proc_mount->root, "/");
    EXPECT_EQ(proc_mount->major, major(proc.st_dev));
    EXPECT_EQ(proc_mount->minor, minor(proc.st_dev));
}

TEST(MountInfo, ReadsOurOwnRootAsStatSeesIt) {
    struct stat root {};
    if (stat("/proc/self/mountinfo", &root) != 0 || stat("/", &root) != 0) {
        GTEST_SKIP() << "no /proc";
    }
    const auto mounts = read_mountinfo();
    const MountInfoEntry* root_mount = last_mount_on(mounts, "/");
    if (root_mount == nullptr) {
        GTEST_SKIP() << "/ is no mount point here (a chroot)";
    }
    if (root_mount->fstype == "btrfs") {
        GTEST_SKIP() << "btrfs gives each subvolume a device number mountinfo does not show";
    }
    EXPECT_EQ(root_mount->major, major(root.st_dev));
    EXPECT_EQ(root_mount->minor, minor(root.st_dev));
}

TEST(SupportedFstype, ByMagicAndName) {
    EXPECT_EQ(supported_fstype(xfs_magic, "xfs"), "xfs");
    EXPECT_EQ(supported_fstype(xfs_magic, ""), "xfs");
    EXPECT_EQ(supported_fstype(ext4_magic, "ext4"), "ext4");
    EXPECT_EQ(supported_fstype(ext4_magic, ""), "ext4");
    // ext2 and ext3 share ext4's magic; the module refuses them, so do we.
    EXPECT_EQ(supported_fstype(ext4_magic, "ext3"), std::nullopt);
    EXPECT_EQ(supported_fstype(ext4_magic, "ext2"), std::nullopt);
    EXPECT_EQ(supported_fstype(0x01021994, "tmpfs"), std::nullopt);
    EXPECT_EQ(supported_fstype(0x9123683E, ""), std::nullopt);
}

std::string failure_of(const std::string& path) {
    try {
        open_mount_root(path, {});
    } catch (const Failure& e) {
        return e.what();
    }
    return "no failure";
}

TEST(MountRoot, MissingPath) {
    EXPECT_EQ(failure_of("/no/such/diowq/path"), "/no/such/diowq/path: no such file or directory");
}

TEST(MountRoot, EmptyPath) {
    EXPECT_EQ(failure_of(""), "'': an empty path names no mount point");
}

TEST(MountRoot, RegularFile) {
    const auto file = testing_support::temp_path("diowq-mount-test-file");
    std::ofstream(file) << "x";
    EXPECT_EQ(failure_of(file.string()), file.string() + ": not a directory, so not a mount point");
    std::filesystem::remove(file);
}

TEST(MountRoot, DirectoryInsideAMount) {
    const auto dir = testing_support::temp_path("diowq-mount-test-dir");
    std::filesystem::create_directories(dir);
    EXPECT_EQ(failure_of(dir.string()),
              dir.string() + ": not a mount point (name the directory a filesystem is mounted on)");
    std::filesystem::remove(dir);
}

TEST(MountRoot, ProcIsAMountButNotSupported) {
    struct stat st {};
    if (stat("/proc/self", &st) != 0) {
        GTEST_SKIP() << "no /proc";
    }
    EXPECT_EQ(failure_of("/proc"),
              "/proc: the filesystem (magic 0x9fa0) is not supported (diowq tunes xfs and ext4)");
    try {
        open_mount_root("/proc", read_mountinfo());
        FAIL() << "no exception";
    } catch (const Failure& e) {
        EXPECT_STREQ(e.what(), "/proc: proc is not supported (diowq tunes xfs and ext4)");
    }
}

} // namespace
} // namespace diowq::sys
