// SPDX-License-Identifier: GPL-2.0
// What diagnose reads in /proc and cgroupfs: task stat and schedstat lines, the CPU time per
// process and CPU over steps, a process's cgroup v2 group and the weight that counts, all from
// text or from directories laid out like /proc and /sys/fs/cgroup.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "system/cgroup_weight.hpp"
#include "system/cpu_usage.hpp"
#include "system/proc_tasks.hpp"
#include "temp_path.hpp"

namespace diowq::sys {
namespace {

namespace fs = std::filesystem;

// A stat line as the kernel writes it; utime 14, stime 15, nice 19, processor 39.
std::string stat_line(int pid, const std::string& comm, unsigned cpu, int nice = 0,
                      std::uint32_t flags = 4194304, std::uint64_t utime = 7,
                      std::uint64_t stime = 3) {
    return std::to_string(pid) + " (" + comm + ") R 1 1 1 0 -1 " + std::to_string(flags) +
           " 101 0 0 0 " + std::to_string(utime) + " " + std::to_string(stime) + " 0 0 20 " +
           std::to_string(nice) +
           " 1 0 2369987 3133440 418 18446744073709551615 1 2 3 0 0 0 0 0 "
           "0 0 0 0 17 " +
           std::to_string(cpu) + " 0 0 0 0 0 1 2 3 4 5 6 7 0\n";
}

TEST(TaskStat, Fields) {
    const TaskStat stat = parse_task_stat(stat_line(812, "fio", 1, 5, 4194304, 250, 40));
    EXPECT_EQ(stat.pid, 812);
    EXPECT_EQ(stat.comm, "fio");
    EXPECT_EQ(stat.state, 'R');
    EXPECT_EQ(stat.utime, 250u);
    EXPECT_EQ(stat.stime, 40u);
    EXPECT_EQ(stat.nice, 5);
    EXPECT_EQ(stat.processor, 1u);
    EXPECT_FALSE(stat.kernel_thread());
}

TEST(TaskStat, RealLineOfThisProcess) {
    std::ifstream in("/proc/self/stat");
    std::string line;
    std::getline(in, line);
    const TaskStat stat = parse_task_stat(line);
    EXPECT_EQ(stat.pid, getpid());
    EXPECT_FALSE(stat.kernel_thread());
}

TEST(TaskStat, CommWithParenthesesAndSpaces) {
    const TaskStat stat = parse_task_stat(stat_line(9, "a) (b c", 3, -20, 0x00208040));
    EXPECT_EQ(stat.comm, "a) (b c");
    EXPECT_EQ(stat.processor, 3u);
    EXPECT_EQ(stat.nice, -20);
    EXPECT_TRUE(stat.kernel_thread());
}

TEST(TaskStat, KworkerCommWithItsQueue) {
    EXPECT_EQ(parse_task_stat(stat_line(77, "kworker/1:2-dio/vdb", 1)).comm, "kworker/1:2-dio/vdb");
}

TEST(TaskStat, Malformed) {
    EXPECT_THROW(parse_task_stat(""), std::invalid_argument);
    EXPECT_THROW(parse_task_stat("12 cat R 1"), std::invalid_argument);
    EXPECT_THROW(parse_task_stat("12 (cat) R 1 2 3"), std::invalid_argument); // too short
    EXPECT_THROW(parse_task_stat("x (cat) R"), std::invalid_argument);
}

TEST(Schedstat, Runtime) {
    EXPECT_EQ(parse_schedstat_runtime("65157 59730 2\n"), 65157u);
    EXPECT_EQ(parse_schedstat_runtime(""), std::nullopt);
    EXPECT_EQ(parse_schedstat_runtime("x 1 2"), std::nullopt);
}

class FakeProc : public ::testing::Test {
protected:
    void SetUp() override { fs::create_directories(root_); }
    void TearDown() override { fs::remove_all(root_); }

    void write(const fs::path& relative, const std::string& text) {
        fs::create_directories((root_ / relative).parent_path());
        std::ofstream(root_ / relative) << text;
    }
    void add_task(int tgid, int tid, const std::string& comm, unsigned cpu,
                  const std::string& schedstat) {
        const fs::path dir = fs::path(std::to_string(tgid)) / "task" / std::to_string(tid);
        write(dir / "stat", stat_line(tid, comm, cpu));
        if (!schedstat.empty()) {
            write(dir / "schedstat", schedstat);
        }
    }

    fs::path root_ = testing_support::temp_path("proc");
};

TEST_F(FakeProc, ReadTasks) {
    add_task(812, 812, "fio", 1, "5000000 10 2\n");
    add_task(812, 815, "fio-helper", 0, "100 10 2\n");
    add_task(30, 30, "kworker/1:2-dio/vdb", 1, ""); // no schedstat: utime + stime ticks
    write("self", "not a process");
    write("812/task/notatid/stat", "junk");
    const auto tasks = read_tasks(root_.string());
    ASSERT_EQ(tasks.size(), 3u);
    EXPECT_EQ(tasks[0].tid, 30);
    EXPECT_EQ(tasks[1], (TaskSample{812, 812, "fio", 1, 0, false, 5'000'000}));
    EXPECT_EQ(tasks[2], (TaskSample{815, 812, "fio-helper", 0, 0, false, 100}));
    if (sysconf(_SC_CLK_TCK) != 100) {
        GTEST_SKIP() << "USER_HZ, the unit of /proc's ticks, is not 100 here (alpha?)";
    }
    EXPECT_EQ(tasks[0].runtime_ns, 100'000'000u); // utime 7 + stime 3 = 10 ticks of 10 ms
}

TEST_F(FakeProc, MissingProcIsAFailure) {
    EXPECT_THROW(read_tasks((root_ / "nothing").string()), std::runtime_error);
}

TEST(CpuUsage, DeltasGoToTheLaterCpu) {
    const std::vector<TaskSample> t0 = {
        {10, 10, "fio", 1, 0, false, 1'000},
        {11, 10, "fio-thread", 1, 0, false, 500},
        {20, 20, "kworker/1:2-dio/vdb", 1, 0, true, 100},
        {30, 30, "bash", 0, 0, false, 50},
    };
    const std::vector<TaskSample> t1 = {
        {10, 10, "fio", 1, 0, false, 901'000},       // +900us on CPU 1
        {11, 10, "fio-thread", 1, 0, false, 50'500}, // +50us on CPU 1
        {20, 20, "kworker/1:2-dio/vdb", 1, 0, true, 200'100},
        {30, 30, "bash", 1, 0, false, 400'050}, // moved to CPU 1: +400us there
        {40, 40, "new", 0, 0, false, 7'000},    // started in the step: all of it
    };
    CpuUsage usage([](const TaskSample& task) { return task.comm.starts_with("kworker/"); });
    usage.add(t0, t1);
    const auto top = usage.top(1);
    ASSERT_TRUE(top);
    EXPECT_EQ(*top, (ProcessUsage{10, "fio", 950'000}));
    const auto all = usage.on(1);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1], (ProcessUsage{30, "bash", 400'000}));
    EXPECT_EQ(usage.top(0), (ProcessUsage{40, "new", 7'000}));
    EXPECT_EQ(usage.top(2), std::nullopt);
}

TEST(CpuUsage, StepsAddUpAndReusedTidsStartOver) {
    CpuUsage usage;
    usage.add({{5, 5, "a", 0, 0, false, 100}}, {{5, 5, "a", 0, 0, false, 300}});
    usage.add({{5, 5, "a", 0, 0, false, 300}}, {{5, 9, "b", 0, 0, false, 40}}); // tid 5 reused
    const auto list = usage.on(0);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], (ProcessUsage{5, "a", 200}));
    EXPECT_EQ(list[1], (ProcessUsage{9, "b", 40}));
}

TEST(Cgroup, ProcCgroupV2Line) {
    EXPECT_EQ(parse_proc_cgroup_v2("0::/kubepods/pod1/c1\n"), "/kubepods/pod1/c1");
    EXPECT_EQ(parse_proc_cgroup_v2("12:cpu,cpuacct:/x\n0::/\n"), "/");
    EXPECT_EQ(parse_proc_cgroup_v2("12:cpu,cpuacct:/x\n"), std::nullopt);
    EXPECT_EQ(parse_proc_cgroup_v2(""), std::nullopt);
}

TEST(Cgroup, CpuWeight) {
    EXPECT_EQ(parse_cpu_weight("100\n"), 100u);
    EXPECT_EQ(parse_cpu_weight("10000"), 10000u);
    EXPECT_EQ(parse_cpu_weight("0"), std::nullopt);
    EXPECT_EQ(parse_cpu_weight("10001"), std::nullopt);
    EXPECT_EQ(parse_cpu_weight("max"), std::nullopt);
    EXPECT_EQ(parse_cpu_weight(""), std::nullopt);
}

TEST(Cgroup, TopLevelGroup) {
    EXPECT_EQ(top_level_cgroup("/kubepods/burstable/pod1"), "/kubepods");
    EXPECT_EQ(top_level_cgroup("/bench"), "/bench");
    EXPECT_EQ(top_level_cgroup("/"), std::nullopt);
    EXPECT_EQ(top_level_cgroup("/../other"), std::nullopt);
    EXPECT_EQ(top_level_cgroup(""), std::nullopt);
}

TEST_F(FakeProc, CgroupWeightOfTheTopLevelGroup) {
    write("proc/812/cgroup", "0::/kubepods/burstable/pod1\n");
    write("proc/30/cgroup", "0::/\n");
    write("proc/40/cgroup", "0::/nocpu/x\n");
    write("cgroup/kubepods/cpu.weight", "1000\n");
    write("cgroup/kubepods/burstable/cpu.weight", "50\n");
    write("cgroup/nocpu/cgroup.procs", "");
    const std::string cgroup = (root_ / "cgroup").string();
    const std::string proc = (root_ / "proc").string();

    const auto busy = read_cgroup_weight(812, cgroup, proc);
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->cgroup, "/kubepods/burstable/pod1");
    EXPECT_EQ(busy->weighted, "/kubepods");
    EXPECT_EQ(busy->weight, 1000u);

    const auto root = read_cgroup_weight(30, cgroup, proc);
    ASSERT_TRUE(root);
    EXPECT_EQ(root->cgroup, "/");
    EXPECT_EQ(root->weighted, std::nullopt);
    EXPECT_EQ(root->weight, std::nullopt);

    const auto no_controller = read_cgroup_weight(40, cgroup, proc);
    ASSERT_TRUE(no_controller);
    EXPECT_EQ(no_controller->weighted, "/nocpu");
    EXPECT_EQ(no_controller->weight, std::nullopt);

    EXPECT_EQ(read_cgroup_weight(99, cgroup, proc), std::nullopt); // gone
}

} // namespace
} // namespace diowq::sys
