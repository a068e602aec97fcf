// SPDX-License-Identifier: GPL-2.0
// Command-line parsing: every subcommand's options land in its struct; every mistake exits 2 with
// a message that names it.
#include <gtest/gtest.h>

#include "cli/command_line.hpp"
#include "command_line_support.hpp"
#include "errors.hpp"

namespace diowq::cli {
namespace {

using test::command_of;
using test::expect_usage_error;
using test::parse;
using test::Parsed;

TEST(CommandLine, StatusWithoutPathShowsEverything) {
    EXPECT_EQ(command_of<StatusOptions>({"status"}), StatusOptions{});
}

TEST(CommandLine, StatusWithPath) {
    EXPECT_EQ(command_of<StatusOptions>({"status", "/srv/data"}).path, "/srv/data");
}

TEST(CommandLine, StatusTakesOnePath) {
    expect_usage_error({"status", "/a", "/b"}, "/b");
}

TEST(CommandLine, TuneWithDefaults) {
    const auto tune = command_of<TuneOptions>({"tune", "/a", "/b"});
    EXPECT_EQ(tune.paths, (std::vector<std::string>{"/a", "/b"}));
    EXPECT_EQ(tune.mode, std::nullopt);
    EXPECT_EQ(tune.nice, std::nullopt);
    EXPECT_EQ(tune.cpus, std::nullopt);
}

TEST(CommandLine, TuneUnboundWithNiceAndCpus) {
    const auto tune = command_of<TuneOptions>(
        {"tune", "/srv/logs", "--mode", "unbound", "--nice", "-10", "--cpus", "0-1,3"});
    EXPECT_EQ(tune.paths, std::vector<std::string>{"/srv/logs"});
    EXPECT_EQ(tune.mode, Mode::unbound);
    EXPECT_EQ(tune.nice, -10);
    EXPECT_EQ(tune.cpus, (std::vector<unsigned>{0, 1, 3}));
}

TEST(CommandLine, TuneShortOptionsAndEquals) {
    const auto tune =
        command_of<TuneOptions>({"tune", "-m", "unbound", "--nice=19", "-c", "2", "/x"});
    EXPECT_EQ(tune.mode, Mode::unbound);
    EXPECT_EQ(tune.nice, 19);
    EXPECT_EQ(tune.cpus, std::vector<unsigned>{2});
}

TEST(CommandLine, TuneHighpri) {
    EXPECT_EQ(command_of<TuneOptions>({"tune", "--mode", "highpri", "/x"}).mode, Mode::highpri);
}

TEST(CommandLine, TuneNeedsAPath) {
    expect_usage_error({"tune"}, "PATH");
}

TEST(CommandLine, TuneRejectsUnknownMode) {
    expect_usage_error({"tune", "/x", "--mode", "fast"}, "unknown mode 'fast'");
}

TEST(CommandLine, TuneRejectsNiceOutOfRange) {
    expect_usage_error({"tune", "/x", "--mode", "unbound", "--nice", "20"}, "--nice");
    expect_usage_error({"tune", "/x", "--mode", "unbound", "--nice", "-21"}, "--nice");
    expect_usage_error({"tune", "/x", "--mode", "unbound", "--nice", "low"}, "--nice");
}

TEST(CommandLine, TuneNiceAndCpusNeedUnbound) {
    expect_usage_error({"tune", "/x", "--nice", "-5"}, "--nice: only applies to --mode unbound");
    expect_usage_error({"tune", "/x", "--mode", "highpri", "--cpus", "0"},
                       "--cpus: only applies to --mode unbound");
}

TEST(CommandLine, TuneRejectsBadCpuList) {
    expect_usage_error({"tune", "/x", "--mode", "unbound", "--cpus", "3-1"}, "reversed range");
    expect_usage_error({"tune", "/x", "--mode", "unbound", "--cpus", "a"}, "not a CPU number");
    expect_usage_error({"tune", "/x", "--mode", "unbound", "--cpus", "1,,2"}, "not a CPU number");
}

TEST(CommandLine, TuneCgroup) {
    const auto tune = command_of<TuneOptions>(
        {"tune", "/srv/data", "--mode", "cgroup", "--cgroup", "/sys/fs/cgroup/pod"});
    EXPECT_EQ(tune.mode, Mode::cgroup);
    EXPECT_EQ(tune.cgroup, "/sys/fs/cgroup/pod");
    EXPECT_EQ(tune.cgroup_weight, std::nullopt);
}

TEST(CommandLine, TuneCgroupWithWeight) {
    const auto tune = command_of<TuneOptions>(
        {"tune", "-m", "cgroup", "--cgroup=/sys/fs/cgroup/pod", "--cgroup-weight", "500", "/x"});
    EXPECT_EQ(tune.cgroup, "/sys/fs/cgroup/pod");
    EXPECT_EQ(tune.cgroup_weight, 500u);
    EXPECT_EQ(command_of<TuneOptions>(
                  {"tune", "/x", "-m", "cgroup", "--cgroup", "/c", "--cgroup-weight", "1"})
                  .cgroup_weight,
              1u);
    EXPECT_EQ(command_of<TuneOptions>(
                  {"tune", "/x", "-m", "cgroup", "--cgroup", "/c", "--cgroup-weight", "10000"})
                  .cgroup_weight,
              10000u);
}

TEST(CommandLine, TuneCgroupNeedsADirectory) {
    expect_usage_error({"tune", "/x", "--mode", "cgroup"}, "needs --cgroup DIR");
    expect_usage_error({"tune", "/x", "--mode", "cgroup", "--cgroup", ""}, "names no directory");
}

TEST(CommandLine, TuneCgroupOptionsNeedModeCgroup) {
    expect_usage_error({"tune", "/x", "--cgroup", "/c"}, "--cgroup: only applies to --mode cgroup");
    expect_usage_error({"tune", "/x", "--mode", "highpri", "--cgroup", "/c"},
                       "--cgroup: only applies to --mode cgroup");
    expect_usage_error({"tune", "/x", "--mode", "cgroup", "--cgroup", "/c", "--nice", "1"},
                       "--nice: only applies to --mode unbound");
    expect_usage_error({"tune", "/x", "--mode", "unbound", "--cgroup-weight", "5"},
                       "--cgroup-weight: only applies to --mode cgroup");
}

TEST(CommandLine, TuneCgroupWeightOutOfRange) {
    expect_usage_error({"tune", "/x", "-m", "cgroup", "--cgroup", "/c", "--cgroup-weight", "0"},
                       "--cgroup-weight");
    expect_usage_error({"tune", "/x", "-m", "cgroup", "--cgroup", "/c", "--cgroup-weight", "10001"},
                       "--cgroup-weight");
    expect_usage_error({"tune", "/x", "-m", "cgroup", "--cgroup", "/c", "--cgroup-weight", "-1"},
                       "--cgroup-weight");
    expect_usage_error({"tune", "/x", "-m", "cgroup", "--cgroup", "/c", "--cgroup-weight", "lots"},
                       "--cgroup-weight");
}

TEST(CommandLine, CgroupCannotBeTheDefaultMode) {
    expect_usage_error({"auto", "--default-mode", "cgroup"}, "cannot be a default mode");
}

TEST(CommandLine, UntunePaths) {
    const auto untune = command_of<UntuneOptions>({"untune", "/a", "/b"});
    EXPECT_EQ(untune.paths, (std::vector<std::string>{"/a", "/b"}));
    EXPECT_FALSE(untune.all);
}

TEST(CommandLine, UntuneAll) {
    EXPECT_EQ(command_of<UntuneOptions>({"untune", "--all"}), (UntuneOptions{{}, true}));
    EXPECT_EQ(command_of<UntuneOptions>({"untune", "-a"}), (UntuneOptions{{}, true}));
}

TEST(CommandLine, UntuneNeedsPathsOrAll) {
    expect_usage_error({"untune"}, "name the mount points to untune, or --all");
}

TEST(CommandLine, UntunePathsExcludeAll) {
    expect_usage_error({"untune", "/a", "--all"}, "excludes");
}

TEST(CommandLine, AutoWithoutOptionsShows) {
    const auto options = command_of<AutoOptions>({"auto"});
    EXPECT_FALSE(options.changes_something());
}

TEST(CommandLine, AutoSetsFstypesAndMode) {
    const auto options =
        command_of<AutoOptions>({"auto", "--fstypes", "xfs,ext4", "--default-mode", "unbound"});
    EXPECT_EQ(options.fstypes, (std::vector<std::string>{"xfs", "ext4"}));
    EXPECT_EQ(options.default_mode, Mode::unbound);
}

TEST(CommandLine, AutoEmptyFstypesClears) {
    const auto options = command_of<AutoOptions>({"auto", "--fstypes", ""});
    ASSERT_TRUE(options.fstypes.has_value());
    EXPECT_TRUE(options.fstypes->empty());
    EXPECT_TRUE(options.changes_something());
}

TEST(CommandLine, AutoRejectsBadLists) {
    expect_usage_error({"auto", "--fstypes", "xfs,,ext4"}, "not a list of filesystem types");
    expect_usage_error({"auto", "--fstypes", "xfs,"}, "not a list of filesystem types");
    expect_usage_error({"auto", "--fstypes", "XFS"}, "not a list of filesystem types");
    expect_usage_error({"auto", "--fstypes", "xfs,xfs"}, "'xfs' is listed twice");
    expect_usage_error({"auto", "--fstypes", std::string(65, 'x')}, "longer than 64");
    expect_usage_error({"auto", "--default-mode", "fast"}, "unknown mode 'fast'");
}

TEST(CommandLine, MonitorAndVersionTakeNoArguments) {
    command_of<MonitorOptions>({"monitor"});
    command_of<VersionOptions>({"version"});
    expect_usage_error({"monitor", "extra"}, "extra");
    expect_usage_error({"version", "--mode", "x"}, "--mode");
}

TEST(CommandLine, JsonAndPrettyBeforeOrAfterTheCommand) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-j", "status"}, {"status", "-j"}, {"--json", "status"}, {"status", "--json"}}) {
        const auto parsed = parse(args);
        ASSERT_TRUE(parsed.result.invocation) << parsed.err;
        EXPECT_EQ(parsed.result.invocation->global, (GlobalOptions{true, false}));
    }
    const auto pretty = parse({"status", "-p"});
    ASSERT_TRUE(pretty.result.invocation);
    // -p implies -j.
    EXPECT_EQ(pretty.result.invocation->global, (GlobalOptions{true, true}));
    const auto plain = parse({"status"});
    ASSERT_TRUE(plain.result.invocation);
    EXPECT_EQ(plain.result.invocation->global, (GlobalOptions{false, false}));
}

TEST(CommandLine, NothingIsAUsageError) {
    const Parsed parsed = parse({});
    EXPECT_EQ(parsed.result.exit_code, exit_usage);
    EXPECT_NE(parsed.err.find("a command is required"), std::string::npos);
}

TEST(CommandLine, UnknownCommand) {
    expect_usage_error({"tunes", "/x"}, "unknown command 'tunes'");
}

TEST(CommandLine, UnknownOption) {
    expect_usage_error({"status", "--bogus"}, "--bogus");
}

TEST(CommandLine, OptionsWithoutACommand) {
    expect_usage_error({"-j"}, "subcommand is required");
}

TEST(CommandLine, ErrorsPointAtTheSubcommandHelp) {
    const Parsed parsed = parse({"tune", "/x", "--nice", "1"});
    EXPECT_NE(parsed.err.find("Run `diowqctl tune --help`"), std::string::npos) << parsed.err;
}

TEST(CommandLine, TopLevelHelpTeachesExitCodesAndExamples) {
    const Parsed parsed = parse({"--help"});
    EXPECT_FALSE(parsed.result.invocation);
    EXPECT_EQ(parsed.result.exit_code, exit_ok);
    for (const char* needle : {"Exit codes:", "0  success", "1  the operation failed",
                               "2  usage error", "Examples:", "status", "tune", "untune", "auto",
                               "monitor", "version", "--json", "--pretty"}) {
        EXPECT_NE(parsed.out.find(needle), std::string::npos) << needle;
    }
}

TEST(CommandLine, EverySubcommandHelpHasExamples) {
    for (const char* command : {"status", "tune", "untune", "auto", "monitor", "version"}) {
        const Parsed parsed = parse({command, "--help"});
        EXPECT_EQ(parsed.result.exit_code, exit_ok) << command;
        EXPECT_NE(parsed.out.find("Examples:"), std::string::npos) << command;
        EXPECT_NE(parsed.out.find(std::string("diowqctl ") + command), std::string::npos)
            << command;
    }
}

TEST(CommandLine, VersionFlag) {
    const Parsed parsed = parse({"--version"});
    EXPECT_EQ(parsed.result.exit_code, exit_ok);
    EXPECT_EQ(parsed.out, std::string(DIOWQ_VERSION) + "\n");
}

} // namespace
} // namespace diowq::cli
