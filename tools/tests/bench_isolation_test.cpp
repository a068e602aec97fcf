// SPDX-License-Identifier: GPL-2.0
// The isolation bench (--isolation): pod A's cpu.max as given, the neighbour's fair share,
// cpu.stat and the kworkers' run time as read, the summary of the pods' CPU and the issue's goals
// judged from it, the pods' table and JSON, and the command line.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "bench/isolation.hpp"
#include "bench/pods.hpp"
#include "bench/report_isolation.hpp"
#include "bench/report_table.hpp"
#include "bench/summary.hpp"
#include "bench/targets.hpp"
#include "bench_support.hpp"
#include "cli/command_line.hpp"
#include "command_line_support.hpp"
#include "errors.hpp"
#include "temp_path.hpp"

namespace diowq::bench {
namespace {

TEST(CpuMax, TheThreeSpellings) {
    EXPECT_EQ(parse_cpu_max("50000 100000"), (CpuMax{50000, 100000}));
    EXPECT_EQ(parse_cpu_max("20000/50000"), (CpuMax{20000, 50000}));
    EXPECT_EQ(parse_cpu_max("50%"), (CpuMax{50000, 100000}));
    EXPECT_EQ(parse_cpu_max("150%"), (CpuMax{150000, 100000})); // more than one CPU is a cap too
    EXPECT_EQ(parse_cpu_max("50000 100000").text(), "50000 100000");
    EXPECT_DOUBLE_EQ(parse_cpu_max("25%").cpus(), 0.25);
}

TEST(CpuMax, RefusesWhatTheKernelWouldNot) {
    for (const char* bad :
         {"", "50", "50000", "0%", "%", "-5%", "5.5%", "max", "max 100000", "50000 100",
          "500 100000", "50000 2000000", "50000  100000", "50000 100000 1", "a/b"}) {
        EXPECT_THROW(parse_cpu_max(bad), std::invalid_argument) << "'" << bad << "'";
    }
}

TEST(NeighbourFairShare, WeightsOrWhatTheCapLeaves) {
    EXPECT_DOUBLE_EQ(neighbour_fair_share(1000, 1000, std::nullopt), 0.5);
    EXPECT_DOUBLE_EQ(neighbour_fair_share(1000, 3000, std::nullopt), 0.75);
    // A capped at or above its weighted half: the weights still decide.
    EXPECT_DOUBLE_EQ(neighbour_fair_share(1000, 1000, CpuMax{50000, 100000}), 0.5);
    EXPECT_DOUBLE_EQ(neighbour_fair_share(1000, 1000, CpuMax{80000, 100000}), 0.5);
    // Capped below it: B may have the rest.
    EXPECT_DOUBLE_EQ(neighbour_fair_share(1000, 1000, CpuMax{20000, 100000}), 0.8);
    EXPECT_DOUBLE_EQ(neighbour_fair_share(0, 0, std::nullopt), 0.0);
}

TEST(CpuStatFile, ReadsUsageAndThrottling) {
    const auto stat = parse_cpu_stat("usage_usec 1234567\nuser_usec 1000\nsystem_usec 234567\n"
                                     "core_sched.force_idle_usec 0\nnr_periods 50\n"
                                     "nr_throttled 7\nthrottled_usec 350000\nnr_bursts 0\n"
                                     "burst_usec 0\n");
    EXPECT_EQ(stat.usage_us, 1234567u);
    EXPECT_EQ(stat.nr_throttled, 7u);
    EXPECT_EQ(stat.throttled_us, 350000u);
    // Without a cpu.max on 6.1 the file still has the lines; a group without the cpu controller
    // has only the first three.
    const auto plain = parse_cpu_stat("usage_usec 10\nuser_usec 4\nsystem_usec 6\n");
    EXPECT_EQ(plain.usage_us, 10u);
    EXPECT_EQ(plain.throttled_us, 0u);
    EXPECT_THROW(parse_cpu_stat("user_usec 4\n"), std::invalid_argument);
    EXPECT_THROW(parse_cpu_stat("usage_usec x\n"), std::invalid_argument);
    EXPECT_THROW(parse_cpu_stat(""), std::invalid_argument);
}

TEST(KworkerRuntime, TheGrowthOfEachOneAlive) {
    const std::map<pid_t, std::uint64_t> before{{10, 1'000'000'000}, {11, 500}, {12, 7'000}};
    // 10 ran 0.5 s, 11 is gone (lost), 12's pid now names a new kworker (counts from 0), 13 was
    // born meanwhile.
    const std::map<pid_t, std::uint64_t> after{{10, 1'500'000'000}, {12, 2'000}, {13, 250'000'000}};
    EXPECT_DOUBLE_EQ(kworker_seconds_between(before, after), 0.5 + 2e-6 + 0.25);
    EXPECT_DOUBLE_EQ(kworker_seconds_between(after, after), 0.0);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

TEST(KworkerRuntime, ReadFromProc) {
    const auto proc = testing_support::temp_path("proc");
    write_file(proc / "10" / "comm", "kworker/1:1H-kblockd\n");
    write_file(proc / "10" / "schedstat", "123456 789 12\n");
    write_file(proc / "11" / "comm", "bash\n");
    write_file(proc / "11" / "schedstat", "999 1 1\n");
    write_file(proc / "12" / "comm", "kworker/u4:0-events_unbound\n");
    write_file(proc / "12" / "schedstat", "42 0 0\n");
    write_file(proc / "13" / "comm", "kworker/0:0\n"); // no schedstat: skipped
    write_file(proc / "self" / "comm", "kworker/fake\n");
    write_file(proc / "self" / "schedstat", "5 0 0\n");
    const auto runtime = read_kworker_runtime(proc.string());
    ASSERT_TRUE(runtime.has_value());
    EXPECT_EQ(*runtime, (std::map<pid_t, std::uint64_t>{{10, 123456}, {12, 42}}));

    const auto none = testing_support::temp_path("proc");
    write_file(none / "11" / "comm", "bash\n");
    EXPECT_FALSE(read_kworker_runtime(none.string()).has_value());
    std::filesystem::remove_all(proc);
    std::filesystem::remove_all(none);
}

// A run of `configuration` with `iops` over 5 s and the pods' CPU as given (in CPUs).
RunRecord pods_run(const std::string& configuration, double iops, double b, double a,
                   double kworkers, std::optional<double> cap = std::nullopt) {
    RunRecord r;
    r.configuration = configuration;
    r.engine.seconds = 5;
    r.engine.writes = std::uint64_t(iops * 5);
    IsolationSample s;
    s.wall_s = 5;
    s.pod_b_cpu_s = b * 5;
    s.pod_a_cpu_s = a * 5;
    s.kworker_cpu_s = kworkers * 5;
    s.cap_cpus = cap;
    s.fair_share = 0.5;
    s.throttled_s = cap ? 1.0 : 0.0;
    r.isolation = s;
    return r;
}

class IsolationSummaries : public test::MadeUpBench {
protected:
    void SetUp() override {
        setup_ = test::vm_setup("6.1.0-57-amd64", "/mnt/bench");
        setup_.options.isolation = IsolationOptions{};
        setup_.cgroup = "/sys/fs/cgroup/diowq-bench-1-podA";
        setup_.neighbour_cgroup = "/sys/fs/cgroup/diowq-bench-1-podB";
        setup_.neighbour_weight = 1000;
        setup_.options.configurations =
            parse_configurations("pods_highpri,pods_cgroup,capped_highpri,capped_cgroup", true);
        // highpri: B pushed below its half by the kworkers at -20, which A does not pay for.
        for (const double iops : {10'000.0, 11'000.0, 9'000.0}) {
            records_.push_back(pods_run("pods_highpri", iops, 0.40, 0.45, 0.15));
            records_.push_back(pods_run("pods_cgroup", iops * 0.95, 0.49, 0.51, 0.01));
            records_.push_back(pods_run("capped_highpri", iops * 0.8, 0.40, 0.48, 0.12, 0.5));
            records_.push_back(pods_run("capped_cgroup", iops * 0.6, 0.50, 0.49, 0.01, 0.5));
        }
        summaries_ = summarize(setup_.options.configurations, records_, 1u);
    }
};

TEST_F(IsolationSummaries, MediansAndSpreadOfThePodsCpu) {
    const auto& iso = summary("pods_highpri").isolation;
    ASSERT_TRUE(iso.has_value());
    EXPECT_EQ(iso->neighbour_share.count, 3u);
    EXPECT_NEAR(iso->neighbour_share.median, 0.40, 1e-9);
    EXPECT_NEAR(iso->neighbour_vs_fair(), 0.80, 1e-9);
    EXPECT_NEAR(iso->pod_a_cpus.median, 0.45, 1e-9);
    EXPECT_NEAR(iso->kworker_cpus.median, 0.15, 1e-9);
    EXPECT_NEAR(iso->load_total_cpus.median, 0.60, 1e-9);
    EXPECT_NEAR(iso->iops_per_cpu_median, 10'000 / 0.60, 1e-6);
    EXPECT_FALSE(iso->total_vs_cap().has_value());
    const auto& capped = summary("capped_highpri").isolation;
    ASSERT_TRUE(capped.has_value());
    EXPECT_NEAR(*capped->total_vs_cap(), 0.60 / 0.5, 1e-9);
    EXPECT_NEAR(capped->throttled_share.median, 0.2, 1e-9);
    // A run without the pods' numbers has no isolation summary.
    EXPECT_FALSE(summarize_isolation({}).has_value());
}

TEST_F(IsolationSummaries, TheIssuesGoalsAreJudged) {
    const auto targets = evaluate_targets(summaries_);
    std::map<std::string, Target> by_name;
    for (const auto& t : targets) {
        by_name[t.name] = t;
    }
    ASSERT_TRUE(by_name.contains("pods_cgroup_vs_highpri"));
    EXPECT_NEAR(by_name["pods_cgroup_vs_highpri"].value, 0.95, 1e-9);
    EXPECT_TRUE(by_name["pods_cgroup_vs_highpri"].met);
    EXPECT_NEAR(by_name["pods_cgroup_vs_highpri_per_cpu"].value, (9'500 / 0.52) / (10'000 / 0.60),
                1e-9);
    EXPECT_TRUE(by_name["pods_cgroup_neighbour_share"].met);      // 0.49 / 0.5 = 0.98
    EXPECT_FALSE(by_name.contains("pods_cgroup_within_cpu_max")); // no cap, no claim
    EXPECT_NEAR(by_name["capped_cgroup_vs_highpri"].value, 0.6 / 0.8, 1e-9);
    EXPECT_FALSE(by_name["capped_cgroup_vs_highpri"].met);
    EXPECT_NEAR(by_name["capped_cgroup_within_cpu_max"].value, 0.50 / 0.5, 1e-9);
    EXPECT_TRUE(by_name["capped_cgroup_within_cpu_max"].met);
    // The matrix's own targets need outside_off: none here.
    EXPECT_FALSE(by_name.contains("highpri_vs_outside"));
}

TEST_F(IsolationSummaries, TableAndJson) {
    const std::string text =
        report_text(setup_, records_, summaries_, evaluate_targets(summaries_));
    EXPECT_NE(text.find("isolation: pod A /sys/fs/cgroup/diowq-bench-1-podA"), std::string::npos);
    EXPECT_NE(text.find("B/FAIR"), std::string::npos);
    EXPECT_NE(text.find("ok   capped_cgroup: pod A's CPU with its completions <= 1.02x"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("40% (40-40)"), std::string::npos) << text; // B under highpri
    const auto json = isolation_summary_json(summary("capped_cgroup")).dump(false);
    EXPECT_NE(json.find("\"total_vs_cap\":1"), std::string::npos) << json;
    EXPECT_NE(json.find("\"neighbour_vs_fair\":1"), std::string::npos) << json;
    EXPECT_EQ(isolation_run_text(records_.front()), "  B 40% A 45%+kw 15%");
}

} // namespace
} // namespace diowq::bench

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
    return options ? std::optional(*options) : std::nullopt;
}

TEST(BenchIsolationCommandLine, Defaults) {
    const auto o = parse_bench({"/d", "--isolation", "--matrix"});
    ASSERT_TRUE(o.has_value());
    ASSERT_TRUE(o->isolation.has_value());
    EXPECT_EQ(o->isolation->cpu_max, (bench::CpuMax{50000, 100000}));
    EXPECT_EQ(o->isolation->neighbour_weight, 0u);
    EXPECT_FALSE(o->isolation->leaf_weight.has_value()); // the module's default
    EXPECT_EQ(o->configurations, bench::isolation_configurations());
    EXPECT_EQ(o->configurations.size(), 8u);
    EXPECT_EQ(o->weight, 1000u);
    const auto one = parse_bench({"/d", "--isolation"});
    ASSERT_TRUE(one.has_value());
    ASSERT_EQ(one->configurations.size(), 1u);
    EXPECT_EQ(one->configurations.front().name, "pods_off");
    EXPECT_FALSE(parse_bench({"/d", "--matrix"})->isolation.has_value());
}

TEST(BenchIsolationCommandLine, Options) {
    const auto o =
        parse_bench({"/d", "--isolation", "--matrix", "--cpu-max", "30%", "--neighbour-weight",
                     "2000", "--leaf-weight", "1000", "--config", "capped_cgroup,pods_cgroup"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->isolation->cpu_max, (bench::CpuMax{30000, 100000}));
    EXPECT_EQ(o->isolation->neighbour_weight, 2000u);
    EXPECT_EQ(o->isolation->leaf_weight, 1000u);
    ASSERT_EQ(o->configurations.size(), 2u);
    EXPECT_EQ(o->configurations[0].name, "capped_cgroup");
    EXPECT_TRUE(o->configurations[0].capped);
    EXPECT_EQ(bench::diowq_mode(o->configurations[1]), Mode::cgroup);
}

TEST(BenchIsolationCommandLine, Mistakes) {
    const auto refused = [](const std::vector<std::string>& args, const std::string& needle) {
        std::string err;
        EXPECT_FALSE(parse_bench(args, &err).has_value()) << "accepted: " << args.back();
        EXPECT_NE(err.find(needle), std::string::npos) << "stderr: " << err;
    };
    refused({"/d", "--isolation", "--cpu-max", "half"}, "--cpu-max");
    refused({"/d", "--cpu-max", "50%"}, "add --isolation");
    refused({"/d", "--neighbour-weight", "100"}, "add --isolation");
    refused({"/d", "--isolation", "--neighbour-weight", "0"}, "--neighbour-weight");
    refused({"/d", "--leaf-weight", "100"}, "add --isolation");
    refused({"/d", "--isolation", "--leaf-weight", "10001"}, "--leaf-weight");
    refused({"/d", "--isolation", "--matrix", "--config", "inside_on"}, "unknown configuration");
    refused({"/d", "--matrix", "--config", "pods_cgroup"}, "unknown configuration");
    refused({"/d", "--isolation", "--jobs", "2"}, "--jobs at 1");
    refused({"/d", "--isolation", "--hierarchy", "k8s"}, "flat");
    refused({"/d", "--isolation", "--config", "pods_off,pods_cgroup"}, "--matrix");
}

} // namespace
} // namespace diowq::cli
