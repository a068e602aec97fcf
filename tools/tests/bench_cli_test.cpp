// SPDX-License-Identifier: GPL-2.0
// `diowqctl bench` options: defaults as fio's command line in the issue, checked values, and a
// usage error (exit 2) naming the option for each mistake.
#include <gtest/gtest.h>

#include "cli/command_line.hpp"
#include "command_line_support.hpp"
#include "errors.hpp"

namespace diowq::cli {
namespace {

std::optional<bench::BenchOptions> parse_bench(const std::vector<std::string>& args,
                                               std::string* err_text = nullptr) {
    std::vector<std::string> full{"bench"};
    full.insert(full.end(), args.begin(), args.end());
    const test::Parsed parsed = test::parse(full);
    if (err_text != nullptr) {
        *err_text = parsed.err;
    }
    if (!parsed.result.invocation) {
        EXPECT_EQ(parsed.result.exit_code, exit_usage);
        return std::nullopt;
    }
    const auto* options = std::get_if<bench::BenchOptions>(&parsed.result.invocation->command);
    EXPECT_NE(options, nullptr);
    return options ? std::optional(*options) : std::nullopt;
}

void expect_bench_error(const std::vector<std::string>& args, const std::string& needle) {
    std::string err;
    EXPECT_FALSE(parse_bench(args, &err).has_value()) << "accepted: " << args.back();
    EXPECT_NE(err.find(needle), std::string::npos) << "stderr: " << err;
}

TEST(BenchCommandLine, DefaultsAreTheIssuesFioJob) {
    const auto o = parse_bench({"/mnt/xfs"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->directory, "/mnt/xfs");
    EXPECT_EQ(o->engine.block_size, 4096u);
    EXPECT_EQ(o->engine.iodepth, 128u);
    EXPECT_EQ(o->engine.batch_submit, 128u);
    EXPECT_EQ(o->engine.batch_complete_min, 1u);
    EXPECT_EQ(o->engine.batch_complete_max, 128u);
    EXPECT_EQ(o->engine.runtime, std::chrono::seconds(20));
    EXPECT_EQ(o->engine.ramp, std::chrono::seconds(5));
    EXPECT_EQ(o->engine.read_percent, 0u);
    EXPECT_EQ(o->file_size, 1u << 30);
    EXPECT_EQ(o->pattern, bench::Pattern::overwrite);
    EXPECT_EQ(o->engine.offsets, bench::Offsets::random);
    EXPECT_FALSE(o->engine.dsync);
    EXPECT_EQ(o->cpu, std::nullopt);
    EXPECT_EQ(o->weight, 1000u);
    EXPECT_EQ(o->cgroup_parent, "");
    EXPECT_FALSE(o->matrix);
    EXPECT_EQ(o->repeat, 1u);
    ASSERT_EQ(o->configurations.size(), 1u);
    EXPECT_EQ(o->configurations[0].name, "outside_off");
    EXPECT_EQ(o->json_file, std::nullopt);
    EXPECT_EQ(o->plot_file, std::nullopt);
    EXPECT_EQ(o->warmup, std::chrono::milliseconds(0));
    EXPECT_EQ(o->engine_kind, bench::EngineKind::builtin);
}

TEST(BenchCommandLine, EveryOption) {
    const auto o = parse_bench({"/mnt/x",
                                "--bs",
                                "8k",
                                "--iodepth",
                                "64",
                                "--batch-submit",
                                "16",
                                "--batch-complete-min",
                                "4",
                                "--batch-complete-max",
                                "32",
                                "--runtime",
                                "500ms",
                                "--ramp",
                                "0",
                                "--size",
                                "256m",
                                "--layout",
                                "fallocate",
                                "--rwmixread",
                                "30",
                                "--cpu",
                                "3",
                                "--weight",
                                "auto",
                                "--cgroup-parent",
                                "/kubepods.slice/",
                                "--config",
                                "inside_on",
                                "--repeat",
                                "2",
                                "--json",
                                "out.json",
                                "--plot",
                                "out.svg",
                                "--progress",
                                "none"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->engine.block_size, 8192u);
    EXPECT_EQ(o->engine.iodepth, 64u);
    EXPECT_EQ(o->engine.batch_submit, 16u);
    EXPECT_EQ(o->engine.batch_complete_min, 4u);
    EXPECT_EQ(o->engine.batch_complete_max, 32u);
    EXPECT_EQ(o->engine.runtime, std::chrono::milliseconds(500));
    EXPECT_EQ(o->engine.ramp, std::chrono::milliseconds(0));
    EXPECT_EQ(o->file_size, 256u << 20);
    EXPECT_EQ(o->pattern, bench::Pattern::unwritten); // --layout fallocate, the older name
    EXPECT_EQ(o->engine.read_percent, 30u);
    EXPECT_EQ(o->cpu, 3u);
    EXPECT_EQ(o->weight, std::nullopt); // auto
    EXPECT_EQ(o->cgroup_parent, "kubepods.slice");
    EXPECT_EQ(o->configurations.at(0).name, "inside_on");
    EXPECT_EQ(o->repeat, 2u);
    EXPECT_EQ(o->json_file, "out.json");
    EXPECT_EQ(o->plot_file, "out.svg");
    EXPECT_EQ(o->progress, bench::Progress::none);
}

// Each pattern: what the file and the engine are told.
TEST(BenchCommandLine, Patterns) {
    const auto append = parse_bench({"/d", "--pattern", "append"});
    ASSERT_TRUE(append);
    EXPECT_EQ(append->pattern, bench::Pattern::append);
    EXPECT_EQ(append->engine.offsets, bench::Offsets::append);
    const auto dsync = parse_bench({"/d", "--pattern", "dsync"});
    ASSERT_TRUE(dsync);
    EXPECT_EQ(dsync->pattern, bench::Pattern::dsync);
    EXPECT_TRUE(dsync->engine.dsync);
    EXPECT_EQ(dsync->engine.offsets, bench::Offsets::random);
    const auto unwritten = parse_bench({"/d", "--pattern", "unwritten"});
    ASSERT_TRUE(unwritten);
    EXPECT_EQ(unwritten->pattern, bench::Pattern::unwritten);
    EXPECT_EQ(bench::layout_name(bench::Pattern::append), "empty");
    EXPECT_EQ(bench::pattern_name(bench::Pattern::dsync), "dsync");
}

TEST(BenchCommandLine, LatencyIsRecordedUnlessTurnedOff) {
    const auto on = parse_bench({"/d"});
    ASSERT_TRUE(on);
    EXPECT_TRUE(on->latency);
    const auto off = parse_bench({"/d", "--no-latency"});
    ASSERT_TRUE(off);
    EXPECT_FALSE(off->latency);
    EXPECT_EQ(bench::latency_plot_path("build/bench/6.1.svg"), "build/bench/6.1-latency.svg");
    EXPECT_EQ(bench::latency_plot_path("out"), "out-latency.svg");
    EXPECT_EQ(bench::latency_plot_path("dir.svg/x"), "dir.svg/x-latency.svg");
    EXPECT_EQ(bench::latency_plot_path(".svg"), ".svg-latency.svg");
}

TEST(BenchCommandLine, BatchesFollowTheDepth) {
    const auto o = parse_bench({"/d", "--iodepth", "32"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->engine.batch_submit, 32u);
    EXPECT_EQ(o->engine.batch_complete_max, 32u);
}

TEST(BenchCommandLine, MatrixDefaults) {
    const auto o = parse_bench({"/d", "--matrix"});
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->matrix);
    EXPECT_EQ(o->repeat, 5u);
    EXPECT_EQ(o->warmup, std::chrono::seconds(10));
    ASSERT_EQ(o->configurations.size(), 3u);
    EXPECT_EQ(o->configurations[0].name, "outside_off");
    EXPECT_EQ(o->configurations[1].name, "inside_off");
    EXPECT_EQ(o->configurations[2].name, "inside_on");
}

TEST(BenchCommandLine, MatrixOfAllInOrder) {
    const auto o = parse_bench({"/d", "--matrix", "--config", "all", "--repeat", "3"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->repeat, 3u);
    std::vector<std::string> names;
    for (const auto& c : o->configurations) {
        names.emplace_back(c.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"outside_off", "inside_off", "inside_on",
                                               "inside_on_unbound", "outside_on", "inside_renice",
                                               "outside_unwatched"}));
}

TEST(BenchCommandLine, MatrixKeepsTheOrderGivenWithoutRepeats) {
    const auto o = parse_bench({"/d", "--matrix", "--config", "inside_off,outside_off,inside_off"});
    ASSERT_TRUE(o);
    ASSERT_EQ(o->configurations.size(), 2u);
    EXPECT_EQ(o->configurations[0].name, "inside_off");
    EXPECT_EQ(o->configurations[1].name, "outside_off");
}

TEST(BenchCommandLine, WarmupAndEngine) {
    const auto o = parse_bench({"/d", "--matrix", "--warmup", "0", "--engine", "fio"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->warmup, std::chrono::milliseconds(0));
    EXPECT_EQ(o->engine_kind, bench::EngineKind::fio);
    EXPECT_EQ(parse_bench({"/d", "--warmup", "3s"})->warmup, std::chrono::seconds(3));
}

TEST(BenchCommandLine, IoEngines) {
    EXPECT_EQ(parse_bench({"/d", "--ioengine", "libaio"})->engine.ioengine,
              bench::IoEngine::libaio);
    const auto o = parse_bench({"/d", "--ioengine", "io_uring", "--engine", "fio"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->engine.ioengine, bench::IoEngine::io_uring);
    EXPECT_EQ(o->engine_kind, bench::EngineKind::fio);
}

TEST(BenchCommandLine, NumericWeight) {
    const auto o = parse_bench({"/d", "--weight", "10000"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->weight, 10000u);
}

TEST(BenchCommandLine, Mistakes) {
    expect_bench_error({}, "DIR");
    expect_bench_error({"/d", "--bs", "1000"}, "--bs");
    expect_bench_error({"/d", "--bs", "4q"}, "--bs");
    expect_bench_error({"/d", "--iodepth", "0"}, "--iodepth");
    expect_bench_error({"/d", "--batch-submit", "129"}, "--batch-submit");
    expect_bench_error({"/d", "--batch-complete-max", "200"}, "--batch-complete-max");
    expect_bench_error({"/d", "--batch-complete-min", "64", "--batch-complete-max", "32"},
                       "--batch-complete-min");
    expect_bench_error({"/d", "--runtime", "0"}, "--runtime");
    expect_bench_error({"/d", "--runtime", "1h"}, "--runtime");
    expect_bench_error({"/d", "--size", "6k"}, "--size");
    expect_bench_error({"/d", "--layout", "sparse"}, "--layout");
    expect_bench_error({"/d", "--pattern", "random"}, "--pattern");
    expect_bench_error({"/d", "--pattern", "unwritten", "--layout", "write"}, "--layout");
    expect_bench_error({"/d", "--pattern", "append", "--rwmixread", "10"}, "--rwmixread");
    expect_bench_error({"/d", "--rwmixread", "101"}, "--rwmixread");
    expect_bench_error({"/d", "--weight", "0"}, "--weight");
    expect_bench_error({"/d", "--weight", "10001"}, "--weight");
    expect_bench_error({"/d", "--weight", "lots"}, "--weight");
    expect_bench_error({"/d", "--cgroup-parent", "a/../b"}, "--cgroup-parent");
    expect_bench_error({"/d", "--config", "inside_maybe"}, "inside_maybe");
    expect_bench_error({"/d", "--config", "outside_off,inside_off"}, "--matrix");
    expect_bench_error({"/d", "--matrix", "--repeat", "0"}, "--repeat");
    expect_bench_error({"/d", "--progress", "loud"}, "--progress");
    expect_bench_error({"/d", "--warmup", "soon"}, "--warmup");
    expect_bench_error({"/d", "--engine", "dd"}, "--engine");
    expect_bench_error({"/d", "--ioengine", "uring"}, "'uring' is not libaio or io_uring");
    expect_bench_error({"/d", "--ioengine", "posixaio"}, "--ioengine");
    expect_bench_error({"/d", "--ioengine", "io_uring", "--iodepth", "65536"},
                       "at most 32768 with io_uring");
}

// --jobs and --hierarchy.
TEST(BenchJobsCommandLine, DefaultsAreOneJobFlat) {
    const auto o = parse_bench({"/mnt/xfs"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->jobs, 1u);
    EXPECT_EQ(o->hierarchy, bench::Hierarchy::flat);
    EXPECT_EQ(o->weight, 1000u);
}

TEST(BenchJobsCommandLine, JobsAndHierarchy) {
    const auto o = parse_bench({"/mnt/xfs", "--jobs", "2", "--hierarchy", "k8s", "--matrix"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->jobs, 2u);
    EXPECT_EQ(o->hierarchy, bench::Hierarchy::k8s);
    const auto linear = parse_bench({"/mnt/xfs", "--hierarchy", "k8s-linear"});
    ASSERT_TRUE(linear);
    EXPECT_EQ(linear->hierarchy, bench::Hierarchy::k8s_linear);
    const auto flat = parse_bench({"/mnt/xfs", "--hierarchy", "flat", "--weight", "500"});
    ASSERT_TRUE(flat);
    EXPECT_EQ(flat->weight, 500u);
    EXPECT_FALSE(flat->node_cpus);
    const auto big = parse_bench({"/mnt/xfs", "--hierarchy", "k8s", "--node-cpus", "64"});
    ASSERT_TRUE(big);
    EXPECT_EQ(big->node_cpus, 64u);
    // io_uring rings are set up as fio's unless asked otherwise.
    const auto uring = parse_bench({"/mnt/xfs", "--ioengine", "io_uring"});
    ASSERT_TRUE(uring);
    EXPECT_EQ(uring->engine.uring_setup, bench::UringSetup::fio);
    const auto plain =
        parse_bench({"/mnt/xfs", "--ioengine", "io_uring", "--uring-setup", "plain"});
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->engine.uring_setup, bench::UringSetup::plain);
}

TEST(BenchJobsCommandLine, MistakesNameTheOption) {
    expect_bench_error({"/mnt/xfs", "--jobs", "0"}, "--jobs: '0' is not a number of jobs 1..1024");
    expect_bench_error({"/mnt/xfs", "--jobs", "two"}, "--jobs: 'two' is not a number of jobs");
    expect_bench_error({"/mnt/xfs", "--jobs", "1025"}, "--jobs: '1025'");
    expect_bench_error({"/mnt/xfs", "--jobs", "-1"}, "--jobs: '-1'");
    expect_bench_error({"/mnt/xfs", "--hierarchy", "kubernetes"},
                       "--hierarchy: 'kubernetes' is not flat, k8s or k8s-linear");
    expect_bench_error({"/mnt/xfs", "--hierarchy", "k8s", "--weight", "1000"},
                       "--weight: sets the flat group's weight; with --hierarchy k8s");
    expect_bench_error({"/mnt/xfs", "--uring-setup", "plain"},
                       "--uring-setup: sets up io_uring rings: it needs --ioengine io_uring");
    expect_bench_error({"/mnt/xfs", "--ioengine", "io_uring", "--uring-setup", "sqpoll"},
                       "--uring-setup: 'sqpoll' is not fio or plain");
    expect_bench_error(
        {"/mnt/xfs", "--ioengine", "io_uring", "--uring-setup", "plain", "--engine", "fio"},
        "--uring-setup: fio sets its rings up its own way");
    expect_bench_error({"/mnt/xfs", "--node-cpus", "64"},
                       "--node-cpus: sets the Kubernetes levels' weights: it needs --hierarchy");
    expect_bench_error({"/mnt/xfs", "--hierarchy", "k8s", "--node-cpus", "0"},
                       "--node-cpus: '0' is not a number of CPUs 1..1024");
    expect_bench_error({"/mnt/xfs", "--hierarchy", "k8s", "--node-cpus", "64x"},
                       "--node-cpus: '64x' is not a number of CPUs");
    expect_bench_error({"/mnt/xfs", "--jobs", "2", "--engine", "fio"},
                       "--jobs: the fio cross-check runs one job");
}

} // namespace
} // namespace diowq::cli
