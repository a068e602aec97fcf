// SPDX-License-Identifier: GPL-2.0
// --jobs and --hierarchy: the CPUs the jobs get, kubelet's weights, the jobs run together
// (without I/O: a load of our own), and what the report says of them. Their options and mistakes
// are tested with the other bench options (bench_cli_test.cpp).
#include <atomic>
#include <thread>

#include <sched.h>

#include <gtest/gtest.h>

#include "bench/jobs.hpp"
#include "bench/kubernetes.hpp"
#include "bench/report_json.hpp"
#include "bench/report_table.hpp"
#include "bench_support.hpp"
#include "errors.hpp"

namespace diowq::bench {
namespace {

TEST(KubernetesWeights, SharesAreKubeletsMilliCpuToShares) {
    EXPECT_EQ(milli_cpu_to_shares(1000), 1024u);
    EXPECT_EQ(milli_cpu_to_shares(2000), 2048u);
    EXPECT_EQ(milli_cpu_to_shares(100), 102u);
    EXPECT_EQ(milli_cpu_to_shares(1), 2u); // MinShares
    EXPECT_EQ(milli_cpu_to_shares(0), 2u);
    EXPECT_EQ(milli_cpu_to_shares(1'000'000), 262144u); // MaxShares
}

TEST(KubernetesWeights, TheTwoConversions) {
    // runc's old ConvertCPUSharesToCgroupV2Value and kubelet's getCPUWeight up to 1.34.
    EXPECT_EQ(shares_to_weight_linear(2), 1u);
    EXPECT_EQ(shares_to_weight_linear(1024), 39u);
    EXPECT_EQ(shares_to_weight_linear(2048), 79u);
    EXPECT_EQ(shares_to_weight_linear(65536), 2500u);
    EXPECT_EQ(shares_to_weight_linear(262144), 10000u);
    // opencontainers/cgroups' since 2025: min, default and max map onto each other.
    EXPECT_EQ(shares_to_weight_quadratic(2), 1u);
    EXPECT_EQ(shares_to_weight_quadratic(1024), 100u);
    EXPECT_EQ(shares_to_weight_quadratic(2048), 174u);
    EXPECT_EQ(shares_to_weight_quadratic(4096), 303u);
    EXPECT_EQ(shares_to_weight_quadratic(65536), 3023u);
    EXPECT_EQ(shares_to_weight_quadratic(262144), 10000u);
}

TEST(KubernetesWeights, FourLevelsOfABurstablePodRequestingTheMachine) {
    const auto levels = kubernetes_levels(Hierarchy::k8s, 2, "top", "uid", "c0ffee");
    ASSERT_EQ(levels.size(), 4u);
    EXPECT_EQ(levels[0], (CgroupLevel{"top", 174, "kubepods", 2048}));
    EXPECT_EQ(levels[1], (CgroupLevel{"burstable", 174, "qos", 2048}));
    EXPECT_EQ(levels[2], (CgroupLevel{"poduid", 174, "pod", 2048}));
    EXPECT_EQ(levels[3], (CgroupLevel{"c0ffee", 174, "container", 2048}));
    const auto linear = kubernetes_levels(Hierarchy::k8s_linear, 64, "top", "uid", "c");
    for (const auto& level : linear) {
        EXPECT_EQ(level.weight, 2500u) << level.role;
        EXPECT_EQ(level.shares, 65536u);
    }
    EXPECT_THROW(kubernetes_levels(Hierarchy::flat, 2, "top", "uid", "c"), std::invalid_argument);
}

TEST(KubernetesWeights, NamesLookLikeKubelets) {
    const std::string uid = pod_uid_from(42);
    ASSERT_EQ(uid.size(), 36u);
    EXPECT_EQ(uid[8], '-');
    EXPECT_EQ(uid[14], '4');
    EXPECT_NE(std::string("89ab").find(uid[19]), std::string::npos) << uid;
    EXPECT_EQ(uid, pod_uid_from(42));
    EXPECT_NE(uid, pod_uid_from(43));
    const std::string id = container_id_from(42);
    EXPECT_EQ(id.size(), 64u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(parse_hierarchy("k8s"), Hierarchy::k8s);
    EXPECT_EQ(hierarchy_name(Hierarchy::k8s_linear), "k8s-linear");
    EXPECT_EQ(conversion_name(Hierarchy::k8s), "quadratic");
    EXPECT_EQ(parse_hierarchy("K8S"), std::nullopt);
}

TEST(JobCpus, JobZeroKeepsItsCpuAndTheOthersTakeTheHighestFree) {
    EXPECT_EQ(select_cpus({0, 1}, 1, 1), (std::vector<unsigned>{1}));
    EXPECT_EQ(select_cpus({0, 1}, 1, 2), (std::vector<unsigned>{1, 0}));
    EXPECT_EQ(select_cpus({0, 1, 2, 3}, 0, 3), (std::vector<unsigned>{0, 3, 2}));
    EXPECT_EQ(select_cpus({2, 5, 7}, 5, 3), (std::vector<unsigned>{5, 7, 2}));
}

TEST(JobCpus, MoreJobsThanCpusIsRefused) {
    try {
        select_cpus({0, 1}, 1, 3);
        FAIL() << "3 jobs on 2 CPUs";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "3 jobs need 3 CPUs, and this process may run on 2 (0-1): each "
                               "job has a CPU of its own");
    }
    EXPECT_THROW(select_cpus({0, 1}, 4, 1), std::invalid_argument);
    EXPECT_THROW(select_cpus({0, 1}, 1, 0), std::invalid_argument);
}

EngineResult made_up_job(std::uint64_t writes, double seconds, std::vector<double> samples) {
    EngineResult r;
    r.writes = writes;
    r.seconds = seconds;
    r.iops_samples = std::move(samples);
    r.cpu_user_seconds = 0.5;
    r.cpu_system_seconds = 1.0;
    r.voluntary_switches = 10;
    for (std::uint64_t i = 0; i < 10; ++i) {
        r.latency.add(1000 * (i + 1));
    }
    return r;
}

TEST(JobResults, MergedAreTheTotals) {
    const EngineResult a = made_up_job(1000, 10.0, {100, 100, 100});
    const EngineResult b = made_up_job(500, 10.1, {50, 50});
    const EngineResult total = merge_jobs({a, b});
    EXPECT_EQ(total.writes, 1500u);
    EXPECT_EQ(total.seconds, 10.1);
    EXPECT_EQ(total.iops_samples, (std::vector<double>{150, 150}));
    EXPECT_EQ(total.latency.count(), 20u);
    EXPECT_EQ(total.latency.max(), 10000u);
    EXPECT_EQ(total.cpu_user_seconds, 1.0);
    EXPECT_EQ(total.cpu_system_seconds, 2.0);
    EXPECT_EQ(total.voluntary_switches, 20);
    EXPECT_FALSE(total.interrupted);
    EXPECT_EQ(merge_jobs({a}).writes, 1000u);
}

// Counts what the jobs tell the run's observer.
class CountingObserver : public EngineObserver {
public:
    std::atomic<int> begins{0};
    std::atomic<int> ends{0};
    std::atomic<int> progress_calls{0};
    std::thread::id progress_thread;
    void measure_begin() override { ++begins; }
    void measure_end() override { ++ends; }
    void progress(std::uint64_t, std::uint64_t) override {
        ++progress_calls;
        progress_thread = std::this_thread::get_id();
    }
};

std::vector<unsigned> two_allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    std::vector<unsigned> cpus;
    for (unsigned cpu = 0; cpu < CPU_SETSIZE && cpus.size() < 2; ++cpu) {
        if (CPU_ISSET(cpu, &set)) {
            cpus.push_back(cpu);
        }
    }
    return cpus;
}

TEST(RunJobs, EveryJobOnItsCpuAndOneMeasurementWindow) {
    const auto cpus = two_allowed_cpus();
    if (cpus.size() < 2) {
        GTEST_SKIP() << "needs two CPUs";
    }
    CountingObserver observer;
    std::atomic<bool> stop{false};
    std::vector<int> ran_on(2, -1);
    const auto results = run_jobs(
        cpus,
        [&](unsigned job, EngineObserver& o, const std::atomic<bool>&) {
            if (job != 0) {
                ran_on[job] = sched_getcpu();
            }
            o.progress(1, 2);
            o.measure_begin();
            o.measure_end();
            EngineResult r;
            r.writes = 100 * (job + 1);
            return r;
        },
        observer, stop);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].writes, 100u);
    EXPECT_EQ(results[1].writes, 200u);
    EXPECT_EQ(ran_on[1], int(cpus[1]));
    EXPECT_EQ(observer.begins, 1);
    EXPECT_EQ(observer.ends, 1);
    EXPECT_EQ(observer.progress_calls, 1); // job 0's only
    EXPECT_EQ(observer.progress_thread, std::this_thread::get_id());
}

TEST(RunJobs, AFailingJobStopsTheOthersAndItsErrorIsThrown) {
    const auto cpus = two_allowed_cpus();
    if (cpus.size() < 2) {
        GTEST_SKIP() << "needs two CPUs";
    }
    CountingObserver observer;
    std::atomic<bool> stop{false};
    bool job0_stopped = false;
    try {
        run_jobs(
            cpus,
            [&](unsigned job, EngineObserver& o,
                const std::atomic<bool>& job_stop) -> EngineResult {
                if (job == 1) {
                    throw Failure("O_DIRECT write of 4096 bytes at offset 0: Input/output error");
                }
                // Waits at the window's start for a job that never comes, until stopped.
                o.measure_begin();
                while (!job_stop.load()) {
                    std::this_thread::yield();
                }
                job0_stopped = true;
                return {};
            },
            observer, stop);
        FAIL() << "no error";
    } catch (const Failure& e) {
        EXPECT_STREQ(e.what(), "O_DIRECT write of 4096 bytes at offset 0: Input/output error");
    }
    EXPECT_TRUE(job0_stopped);
    EXPECT_EQ(observer.begins, 0);
}

TEST(RunJobs, TheCallersStopReachesEveryJob) {
    const auto cpus = two_allowed_cpus();
    if (cpus.size() < 2) {
        GTEST_SKIP() << "needs two CPUs";
    }
    CountingObserver observer;
    std::atomic<bool> stop{false};
    const auto results = run_jobs(
        cpus,
        [&](unsigned job, EngineObserver& o, const std::atomic<bool>& job_stop) {
            if (job == 0) {
                stop.store(true); // as SIGINT's handler does
            }
            while (!job_stop.load()) {
                o.progress(1, 2); // the engine's every 100 ms
            }
            EngineResult r;
            r.interrupted = true;
            return r;
        },
        observer, stop);
    EXPECT_TRUE(merge_jobs(results).interrupted);
}

class BenchJobsReportTest : public test::MadeUpBench {
protected:
    void SetUp() override {
        setup_ = test::vm_setup("6.1.0-57-amd64", "/mnt/bench");
        setup_.cpus = {1, 0};
        setup_.files = {"/mnt/bench/diowq-bench.7-0", "/mnt/bench/diowq-bench.7-1"};
        setup_.file = setup_.files[0];
        setup_.options.jobs = 2;
        setup_.options.configurations = {*find_configuration("outside_off"),
                                         *find_configuration("inside_off")};
        setup_.options.repeat = 1;
        for (const auto* name : {"outside_off", "inside_off"}) {
            RunRecord r;
            r.configuration = name;
            const double scale = std::string(name) == "outside_off" ? 1.0 : 0.5;
            r.jobs = {made_up_job(std::uint64_t(60000 * scale), 10.0, {}),
                      made_up_job(std::uint64_t(40000 * scale), 10.0, {})};
            r.engine = merge_jobs(r.jobs);
            r.cpu_switches = std::uint64_t(50000 * scale);
            r.interrupts = {300, 700};
            records_.push_back(r);
        }
        records_[1].sequence = 1;
        summaries_ = summarize(setup_.options.configurations, records_, setup_.cpus);
    }
};

TEST_F(BenchJobsReportTest, SummariesHaveTheTotalAndEachJob) {
    const auto& base = summary("outside_off");
    EXPECT_EQ(base.iops.median, 10000.0);
    EXPECT_EQ(base.job_iops_median, (std::vector<double>{6000, 4000}));
    EXPECT_EQ(base.switches_per_io_median, 0.5); // all CPUs' switches / all jobs' I/Os
    EXPECT_EQ(base.interrupt_share_median, 1.0); // both CPUs'
    EXPECT_EQ(summary("inside_off").ratio, 0.5);
}

TEST_F(BenchJobsReportTest, JsonHasJobsPerRunAndInTheSetup) {
    const std::string json = report_json(setup_, records_, summaries_, {}, false).dump();
    for (const char* key : {
             R"("cpu":1,"jobs":2,"job_cpus":[1,0],"weight":1000,)",
             R"("files":["/mnt/bench/diowq-bench.7-0","/mnt/bench/diowq-bench.7-1"],)",
             R"("ios":100000,"reads":0,"writes":100000,"file_restarts":0,"iops":10000,)",
             R"("jobs":[{"job":0,"cpu":1,"file":"/mnt/bench/diowq-bench.7-0","seconds":10,)"
             R"("ios":60000,"reads":0,"writes":60000,"file_restarts":0,"iops":6000,)",
             R"({"job":1,"cpu":0,"file":"/mnt/bench/diowq-bench.7-1","seconds":10,"ios":40000,)",
             R"("jobs_iops_median":[6000,4000],"isolation":null})",
             R"("hierarchy":{"name":"flat","driver":null,"qos":null,)",
         }) {
        EXPECT_NE(json.find(key), std::string::npos) << "missing " << key << "\n" << json;
    }
}

TEST_F(BenchJobsReportTest, JsonHasTheK8sLevels) {
    setup_.options.hierarchy = Hierarchy::k8s;
    for (const auto& level :
         kubernetes_levels(Hierarchy::k8s, 2, "diowq-bench-7-kubepods", "u", "c")) {
        const std::string parent =
            setup_.cgroup_levels.empty() ? "/sys/fs/cgroup" : setup_.cgroup_levels.back().path;
        setup_.cgroup_levels.push_back({parent + "/" + level.name, level});
    }
    setup_.cgroup = setup_.cgroup_levels.back().path;
    setup_.weight = 174;
    const std::string json = report_json(setup_, records_, summaries_, {}, false).dump();
    EXPECT_NE(json.find(R"("hierarchy":{"name":"k8s","driver":"cgroupfs","qos":"Burstable",)"
                        R"("node_cpus":2,"pod_cpu_request_milli":2000,"conversion":"quadratic",)"
                        R"("levels":[)"
                        R"({"role":"kubepods","path":"/sys/fs/cgroup/diowq-bench-7-kubepods",)"
                        R"("weight":174,"shares":2048},{"role":"qos",)"
                        R"("path":"/sys/fs/cgroup/diowq-bench-7-kubepods/burstable",)"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find(R"({"role":"container","path":"/sys/fs/cgroup/diowq-bench-7-kubepods/)"
                        R"(burstable/podu/c","weight":174,"shares":2048}]})"),
              std::string::npos)
        << json;
    const std::string text = report_text(setup_, records_, summaries_, {});
    EXPECT_NE(text.find("cgroups as kubelet's for a Burstable pod requesting all 2 CPUs of its "
                        "node (quadratic conversion)\n  kubepods  cpu.weight   174  /sys/fs/cgroup/"
                        "diowq-bench-7-kubepods\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("  container cpu.weight   174  /sys/fs/cgroup/diowq-bench-7-kubepods/"
                        "burstable/podu/c\n"),
              std::string::npos)
        << text;
}

// --node-cpus: the weights of a bigger node than the machine, said in the JSON and the table.
TEST_F(BenchJobsReportTest, NodeCpusNameTheNodeWhoseWeightsTheLevelsHave) {
    setup_.options.hierarchy = Hierarchy::k8s;
    setup_.options.node_cpus = 64;
    EXPECT_EQ(setup_.node_cpus(), 64u);
    const auto levels = kubernetes_levels(Hierarchy::k8s, setup_.node_cpus(), "k", "u", "c");
    ASSERT_EQ(levels.size(), 4u);
    EXPECT_EQ(levels.front().weight, 3023u);
    EXPECT_EQ(levels.front().shares, std::uint64_t{65536});
    const std::string json = report_json(setup_, records_, summaries_, {}, false).dump();
    EXPECT_NE(json.find(R"("node_cpus":64,"pod_cpu_request_milli":64000,)"), std::string::npos)
        << json;
    const std::string text = report_text(setup_, records_, summaries_, {});
    EXPECT_NE(text.find("a Burstable pod requesting all 64 CPUs of its node"), std::string::npos)
        << text;
}

TEST_F(BenchJobsReportTest, TableSaysWhatRan) {
    const std::string text = report_text(setup_, records_, summaries_, {});
    EXPECT_NE(text.find("(interrupts not counted), 2 jobs on CPUs 1,0 of 2, cpu.weight 1000\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("IOPS TOTAL"), std::string::npos) << text;
    EXPECT_NE(text.find("IOPS PER JOB"), std::string::npos) << text;
    EXPECT_NE(text.find("IRQ CPU1,0"), std::string::npos) << text;
    EXPECT_NE(text.find("6.00k + 4.00k"), std::string::npos) << text;
    EXPECT_NE(text.find("3.00k + 2.00k"), std::string::npos) << text;
    EXPECT_NE(run_line(records_[0], 2).find("IOPS (6.00k + 4.00k)"), std::string::npos)
        << run_line(records_[0], 2);
}

TEST_F(BenchJobsReportTest, OneJobReadsAsBefore) {
    setup_.cpus = {1};
    setup_.options.jobs = 1;
    const std::string text = report_text(setup_, records_, summaries_, {});
    EXPECT_NE(text.find("CPU 1 of 2, cpu.weight 1000\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("IOPS PER JOB"), std::string::npos) << text;
    EXPECT_NE(text.find("IRQ CPU1 "), std::string::npos) << text;
}

TEST(BenchJobsCheck, SlackCoversEveryJobsIosInFlight) {
    RunRecord r;
    r.engine.writes = 100000;
    r.dispatch = DispatchWindow{};
    BenchOptions options;
    options.jobs = 3;
    const auto check = r.completion_check(options);
    ASSERT_TRUE(check);
    EXPECT_EQ(check->slack, 2u * 128 * 3 + 1000);
}

} // namespace
} // namespace diowq::bench
