// SPDX-License-Identifier: GPL-2.0
// /etc/diowq.conf: the parser accepts the documented statements and reports every mistake as
// FILE:LINE: problem; planning resolves each mount's mode and sends only what differs.
#include <gtest/gtest.h>

#include "config/config_file.hpp"
#include "config/plan.hpp"

namespace diowq::config {
namespace {

ConfigFile parse(const std::string& text) {
    return parse_config(text, "t.conf");
}

// The text is refused, and the message has `needle`.
void expect_error(const std::string& text, const std::string& needle) {
    try {
        parse(text);
        ADD_FAILURE() << "accepted: " << text;
    } catch (const ConfigError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(needle), std::string::npos) << message;
        EXPECT_NE(message.find("nothing was changed"), std::string::npos) << message;
    }
}

TEST(ConfigFile, EmptyAndCommentsOnlyMentionNothing) {
    const auto file = parse("\n# only a comment\n   \t\n");
    EXPECT_FALSE(file.default_mode);
    EXPECT_FALSE(file.fstypes);
    EXPECT_TRUE(file.mounts.empty());
}

TEST(ConfigFile, EveryStatement) {
    const auto file = parse("# diowq\n"
                            "mode unbound   # the default\n"
                            "fstype xfs\n"
                            "fstype ext4,xfs\n"
                            "mount /srv/data\n"
                            "\tmount  /srv//logs/  highpri\r\n");
    EXPECT_EQ(file.default_mode, Mode::unbound);
    EXPECT_EQ(file.default_mode_line, 2u);
    ASSERT_TRUE(file.fstypes);
    EXPECT_EQ(*file.fstypes, (std::vector<std::string>{"xfs", "ext4"}));
    EXPECT_EQ(file.fstypes_line, 3u);
    ASSERT_EQ(file.mounts.size(), 2u);
    EXPECT_EQ(file.mounts[0], (MountEntry{"/srv/data", std::nullopt, 5}));
    EXPECT_EQ(file.mounts[1], (MountEntry{"/srv/logs", Mode::highpri, 6}));
}

TEST(ConfigFile, FstypeNoneEmptiesTheList) {
    const auto file = parse("fstype none\n");
    ASSERT_TRUE(file.fstypes);
    EXPECT_TRUE(file.fstypes->empty());
}

TEST(ConfigFile, HashInsideAWordIsPartOfIt) {
    EXPECT_EQ(parse("mount /srv/a#b\n").mounts.at(0).path, "/srv/a#b");
}

TEST(ConfigFile, ModeCgroupIsNotForConfigFiles) {
    // It names no cgroup directory: refused, saying where to set it instead.
    expect_error("mode cgroup\n", "t.conf:1: mode: mode 'cgroup' is not supported in a config "
                                  "file (use diowqctl tune --mode cgroup --cgroup DIR)");
    expect_error("mount /srv/data cgroup\n", "t.conf:1: mount: mode 'cgroup' is not supported");
}

TEST(ConfigFile, ErrorsNameFileAndLine) {
    expect_error("mode highpri\nmnt /srv\n", "t.conf:2: unknown statement 'mnt'");
    expect_error("mode fast\n", "t.conf:1: mode: unknown mode 'fast' (modes: highpri, unbound)");
    expect_error("mode\n", "t.conf:1: mode takes one mode");
    expect_error("mode highpri unbound\n", "t.conf:1: mode takes one mode");
    expect_error("mode highpri\n\nmode unbound\n", "t.conf:3: mode is set twice (first on line 1)");
    expect_error("fstype\n", "t.conf:1: fstype takes filesystem types");
    expect_error("fstype XFS\n", "t.conf:1: fstype: 'XFS' is not a filesystem type");
    expect_error("fstype xfs,,ext4\n", "is not a filesystem type");
    expect_error("fstype none xfs\n", "none cannot be combined");
    expect_error("fstype xfs\nfstype none\n", "t.conf:2: fstype none conflicts with the fstype "
                                              "on line 1");
    expect_error("fstype none\nfstype xfs\n", "t.conf:2: fstype conflicts with 'fstype none'");
    expect_error("mount\n", "t.conf:1: mount takes a mount point");
    expect_error("mount /a highpri extra\n", "t.conf:1: mount takes a mount point");
    expect_error("mount srv/data\n", "t.conf:1: mount: 'srv/data' is not an absolute path");
    expect_error("mount /srv/../etc\n", "is not an absolute path without . or ..");
    expect_error("mount /srv fast\n", "t.conf:1: mount: unknown mode 'fast'");
    expect_error("mount /srv/data\nmount /srv//data/ unbound\n",
                 "t.conf:2: mount: /srv/data is listed twice (first on line 1)");
}

TEST(ConfigFile, EveryProblemIsReportedAtOnce) {
    try {
        parse("mode x\nfoo\nmount rel\n");
        FAIL();
    } catch (const ConfigError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("t.conf:1:"), std::string::npos) << message;
        EXPECT_NE(message.find("t.conf:2:"), std::string::npos) << message;
        EXPECT_NE(message.find("t.conf:3:"), std::string::npos) << message;
    }
}

TEST(ConfigFile, ALongTypeListIsRefused) {
    std::string text = "fstype";
    for (int i = 0; i < 20; ++i) {
        text += " type" + std::to_string(i);
    }
    expect_error(text + "\n", "longer than the module takes");
}

TEST(ConfigFile, NormalizeMountPath) {
    EXPECT_EQ(normalize_mount_path("/"), "/");
    EXPECT_EQ(normalize_mount_path("//srv///data//"), "/srv/data");
    EXPECT_EQ(normalize_mount_path("/srv/.hidden"), "/srv/.hidden");
    EXPECT_FALSE(normalize_mount_path(""));
    EXPECT_FALSE(normalize_mount_path("srv"));
    EXPECT_FALSE(normalize_mount_path("/srv/./data"));
    EXPECT_FALSE(normalize_mount_path("/srv/.."));
}

TEST(ConfigFile, UnreadableFileIsAFailure) {
    EXPECT_THROW(read_config("/nonexistent/diowq.conf"), Failure);
}

Config module_config(Mode default_mode, std::vector<std::string> auto_fstypes) {
    Config config;
    config.supported_fstypes = {"xfs", "ext4"};
    config.default_mode = default_mode;
    config.auto_fstypes = std::move(auto_fstypes);
    return config;
}

TEST(Plan, MountModesComeFromTheLineThenTheFileThenTheModule) {
    const auto file = parse("mount /a\nmount /b highpri\n");
    const auto from_module = make_plan(file, module_config(Mode::unbound, {}));
    EXPECT_EQ(from_module.mounts,
              (std::vector<PlannedMount>{{"/a", Mode::unbound, 1}, {"/b", Mode::highpri, 2}}));
    const auto from_file =
        make_plan(parse("mode highpri\nmount /a\n"), module_config(Mode::unbound, {}));
    EXPECT_EQ(from_file.mounts.at(0).mode, Mode::highpri);
}

TEST(Plan, OnlyWhatDiffersIsSent) {
    const auto file = parse("mode highpri\nfstype ext4 xfs\n");
    const auto same = make_plan(file, module_config(Mode::highpri, {"xfs", "ext4"}));
    EXPECT_FALSE(same.changes_config());
    EXPECT_EQ(describe_config(file, same),
              (std::vector<std::string>{"default mode: highpri (unchanged)",
                                        "auto fstypes: xfs,ext4 (unchanged)"}));
    const auto other = make_plan(file, module_config(Mode::unbound, {}));
    EXPECT_EQ(other.change.default_mode, Mode::highpri);
    EXPECT_EQ(other.change.auto_fstypes, (std::vector<std::string>{"ext4", "xfs"}));
    EXPECT_EQ(describe_config(file, other),
              (std::vector<std::string>{"default mode: unbound -> highpri",
                                        "auto fstypes: none -> ext4,xfs"}));
}

TEST(Plan, WhatTheFileDoesNotMentionIsLeftAlone) {
    const auto plan = make_plan(parse("mount /a\n"), module_config(Mode::unbound, {"xfs"}));
    EXPECT_FALSE(plan.changes_config());
}

TEST(Plan, FstypeNoneClearsTheList) {
    const auto plan = make_plan(parse("fstype none\n"), module_config(Mode::highpri, {"xfs"}));
    ASSERT_TRUE(plan.change.auto_fstypes);
    EXPECT_TRUE(plan.change.auto_fstypes->empty());
}

TEST(Plan, UnsupportedTypeIsRefusedWithItsLine) {
    const auto file = parse("\nfstype xfs tmpfs btrfs\n");
    try {
        make_plan(file, module_config(Mode::highpri, {}));
        FAIL();
    } catch (const Failure& e) {
        EXPECT_STREQ(e.what(), "t.conf:2: fstype: tmpfs, btrfs not supported by the module "
                               "(supported: xfs, ext4)\nnothing was changed");
    }
}

} // namespace
} // namespace diowq::config
