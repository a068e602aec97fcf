// SPDX-License-Identifier: GPL-2.0
// The command lines of watch, unwatch, top and diagnose.
#include <gtest/gtest.h>

#include "cli/command_line.hpp"
#include "command_line_support.hpp"
#include "errors.hpp"

namespace diowq::cli {
namespace {

using test::command_of;
using test::expect_usage_error;

// The BPF program measures every filesystem: a PATH is refused with the reason, not ignored.
TEST(WatchCommandLine, AllOrShow) {
    EXPECT_EQ(command_of<WatchOptions>({"watch", "--all"}), (WatchOptions{true}));
    EXPECT_EQ(command_of<WatchOptions>({"watch"}), WatchOptions{}); // shows what is watched
    expect_usage_error({"watch", "/a"}, "takes no PATH: the BPF program measures every filesystem");
    expect_usage_error({"watch", "/a", "--all"}, "takes no PATH");
}

TEST(WatchCommandLine, Unwatch) {
    EXPECT_EQ(command_of<UnwatchOptions>({"unwatch", "-a"}), UnwatchOptions{});
    expect_usage_error({"unwatch"}, "say --all: it detaches the program");
    expect_usage_error({"unwatch", "/a"}, "takes no PATH");
}

TEST(TopCommandLine, Defaults) {
    EXPECT_EQ(command_of<TopOptions>({"top"}), TopOptions{});
}

TEST(TopCommandLine, Options) {
    const auto top = command_of<TopOptions>({"top", "--interval", "0.5", "-n", "2", "--watch-all"});
    EXPECT_DOUBLE_EQ(top.interval_seconds, 0.5);
    EXPECT_EQ(top.iterations, 2u); // --watch-all: accepted for old scripts, changes nothing
    EXPECT_EQ(command_of<TopOptions>({"top", "--iterations", "2", "--interval", "1"}).iterations,
              2u);
}

TEST(TopCommandLine, BadValues) {
    expect_usage_error({"top", "--interval", "0"}, "from 0.1 to 3600");
    expect_usage_error({"top", "--interval", "soon"}, "from 0.1 to 3600");
    expect_usage_error({"top", "--iterations", "0"}, "--iterations");
    expect_usage_error({"top", "/mnt"}, "/mnt");
}

TEST(DiagnoseCommandLine, Defaults) {
    const auto options = command_of<DiagnoseOptions>({"diagnose"});
    EXPECT_EQ(options.path, std::nullopt);
    EXPECT_EQ(options.seconds, 5u);
    EXPECT_EQ(options.threshold_ns, 1'000'000u);
}

TEST(DiagnoseCommandLine, Options) {
    const auto options = command_of<DiagnoseOptions>(
        {"diagnose", "/mnt/data", "--seconds", "30", "--threshold", "500us"});
    EXPECT_EQ(options.path, "/mnt/data");
    EXPECT_EQ(options.seconds, 30u);
    EXPECT_EQ(options.threshold_ns, 500'000u);
    EXPECT_EQ(
        command_of<DiagnoseOptions>({"-j", "diagnose", "-s", "2", "-t", "2.5ms"}).threshold_ns,
        2'500'000u);
}

TEST(DiagnoseCommandLine, BadValues) {
    expect_usage_error({"diagnose", "--seconds", "0"}, "--seconds");
    expect_usage_error({"diagnose", "--threshold", "5"}, "not a duration");
    expect_usage_error({"diagnose", "--threshold", "0ms"}, "longer than 0");
    expect_usage_error({"diagnose", "/a", "/b"}, "/b");
}

TEST(LatencyCommandLine, HelpTeaches) {
    for (const char* command : {"watch", "unwatch", "top", "diagnose"}) {
        const test::Parsed parsed = test::parse({command, "--help"});
        EXPECT_EQ(parsed.result.exit_code, exit_ok);
        EXPECT_NE(parsed.out.find("Exit codes"), std::string::npos) << command;
        EXPECT_NE(parsed.out.find("BPF program"), std::string::npos) << command;
    }
}

} // namespace
} // namespace diowq::cli
