// SPDX-License-Identifier: GPL-2.0
// The bench's contact with the system, against directories of our own: a cgroup2 root whose
// "kernel" is played by FakeCgroupFs, a /proc with kworkers, /proc/interrupts text, a /sys with a
// disk; and the interleaving of the matrix.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "bench/block_device.hpp"
#include "bench/cgroup.hpp"
#include "bench/cpu_counters.hpp"
#include "bench/kworkers.hpp"
#include "bench/runner.hpp"
#include "errors.hpp"
#include "temp_path.hpp"

namespace diowq::bench {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void put(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// Plays cgroupfs on a plain directory: a new group gets its interface files, cgroup.controllers
// follows the parent's subtree_control, "+cpu"/"-cpu" edit subtree_control, and every write is
// logged.
class FakeCgroupFs : public CgroupFs {
public:
    using CgroupFs::CgroupFs;

    mutable std::vector<std::string> log;
    std::string refuse_write; // a relative path whose writes fail

    void write(const std::string& relative, const std::string& value) const override {
        log.push_back(relative + " < " + value);
        if (relative == refuse_write) {
            throw Failure("cannot write '" + value + "' to " + relative +
                          ": Device or resource busy");
        }
        const fs::path path = absolute(relative);
        if (!fs::exists(path)) {
            throw Failure("cannot write " + path.string() + ": No such file or directory");
        }
        if (path.filename() == "cgroup.subtree_control") {
            std::string current = read(relative);
            const std::string controller = value.substr(1);
            if (value[0] == '+' && current.find(controller) == std::string::npos) {
                current += (current.empty() ? "" : " ") + controller;
            } else if (value[0] == '-') {
                const auto at = current.find(controller);
                if (at != std::string::npos) {
                    current.erase(at, controller.size());
                }
                while (!current.empty() && current.back() == ' ') {
                    current.pop_back();
                }
            }
            std::ofstream(path) << current;
            // What a group delegates becomes available in its children.
            for (const auto& child : fs::directory_iterator(path.parent_path())) {
                const fs::path controllers = child.path() / "cgroup.controllers";
                if (child.is_directory() && fs::exists(controllers)) {
                    std::ofstream(controllers) << current;
                }
            }
            return;
        }
        std::ofstream(path) << value;
    }

    void make_group(const std::string& relative) const override {
        log.push_back("mkdir " + relative);
        const fs::path path = absolute(relative);
        if (!fs::create_directory(path)) {
            throw Failure("cannot create the cgroup " + path.string() + ": File exists");
        }
        const std::string parent_control = slurp(path.parent_path() / "cgroup.subtree_control");
        put(path / "cgroup.controllers", parent_control);
        put(path / "cgroup.subtree_control", "");
        put(path / "cgroup.procs", "");
        if (parent_control.find("cpu") != std::string::npos) {
            put(path / "cpu.weight", "100");
        }
    }

    void remove_group(const std::string& relative) const override {
        log.push_back("rmdir " + relative);
        fs::remove_all(absolute(relative));
    }
};

class BenchCgroupTest : public testing::Test {
protected:
    void SetUp() override {
        root_ = testing_support::temp_path("diowq-cgroup-test");
        fs::remove_all(root_);
        put(root_ / "cgroup.controllers", "cpuset cpu io memory pids");
        put(root_ / "cgroup.subtree_control", "memory pids");
        put(root_ / "cgroup.procs", "");
        put(root_ / "kubepods" / "cgroup.controllers", "memory pids");
        put(root_ / "kubepods" / "cgroup.subtree_control", "");
        put(root_ / "kubepods" / "cgroup.procs", "");
        put(root_ / "user.slice" / "cgroup.procs", "");
    }
    void TearDown() override { fs::remove_all(root_); }

    std::string file(const std::string& relative) const { return slurp(root_ / relative); }

    fs::path root_;
    std::vector<std::string> warnings_;
    BenchCgroup::Warn warn_ = [this](const std::string& w) { warnings_.push_back(w); };
};

TEST_F(BenchCgroupTest, UnderTheRootEnablesCpuThereOnly) {
    const FakeCgroupFs fake(root_.string());
    {
        BenchCgroup group(fake, "", "diowq-bench-42", 1000, "user.slice", warn_);
        EXPECT_EQ(group.path(), "diowq-bench-42");
        EXPECT_EQ(group.enabled(), std::vector<std::string>{""});
        EXPECT_EQ(file("cgroup.subtree_control"), "memory pids cpu");
        EXPECT_EQ(file("diowq-bench-42/cpu.weight"), "1000");
        EXPECT_EQ(fake.absolute(group.path()), (root_ / "diowq-bench-42").string());

        group.enter(4711);
        EXPECT_EQ(file("diowq-bench-42/cgroup.procs"), "4711");
        group.leave();
        EXPECT_EQ(fake.log.back(), "user.slice/cgroup.procs < 4711");
    }
    EXPECT_FALSE(fs::exists(root_ / "diowq-bench-42"));
    EXPECT_EQ(file("cgroup.subtree_control"), "memory pids");
    EXPECT_TRUE(warnings_.empty());
    EXPECT_EQ(fake.log, (std::vector<std::string>{
                            "cgroup.subtree_control < +cpu",
                            "mkdir diowq-bench-42",
                            "diowq-bench-42/cpu.weight < 1000",
                            "diowq-bench-42/cgroup.procs < 4711",
                            "user.slice/cgroup.procs < 4711",
                            "rmdir diowq-bench-42",
                            "cgroup.subtree_control < -cpu",
                        }));
}

// --hierarchy k8s: a chain of groups, each with its weight, "+cpu" delegated down to the
// load's, removed deepest first; the root's controller disabled again last.
TEST_F(BenchCgroupTest, ANestedChainIsCreatedTopDownAndRemovedBottomUp) {
    const FakeCgroupFs fake(root_.string());
    {
        BenchCgroup group(fake, "",
                          {{"k", 174, "kubepods", 2048},
                           {"burstable", 174, "qos", 2048},
                           {"podu", 174, "pod", 2048},
                           {"c", 174, "container", 2048}},
                          "user.slice", warn_);
        EXPECT_EQ(group.path(), "k/burstable/podu/c");
        EXPECT_EQ(group.weight(), 174u);
        EXPECT_EQ(group.level_path(1), "k/burstable");
        EXPECT_EQ(file("k/burstable/podu/c/cpu.weight"), "174");
        EXPECT_EQ(file("k/burstable/podu/cgroup.subtree_control"), "cpu");
        EXPECT_EQ(file("k/burstable/podu/c/cgroup.subtree_control"), "");
        group.enter(4711);
        EXPECT_EQ(file("k/burstable/podu/c/cgroup.procs"), "4711");
    }
    EXPECT_FALSE(fs::exists(root_ / "k"));
    EXPECT_TRUE(warnings_.empty());
    EXPECT_EQ(fake.log, (std::vector<std::string>{
                            "cgroup.subtree_control < +cpu",
                            "mkdir k",
                            "k/cpu.weight < 174",
                            "k/cgroup.subtree_control < +cpu",
                            "mkdir k/burstable",
                            "k/burstable/cpu.weight < 174",
                            "k/burstable/cgroup.subtree_control < +cpu",
                            "mkdir k/burstable/podu",
                            "k/burstable/podu/cpu.weight < 174",
                            "k/burstable/podu/cgroup.subtree_control < +cpu",
                            "mkdir k/burstable/podu/c",
                            "k/burstable/podu/c/cpu.weight < 174",
                            "k/burstable/podu/c/cgroup.procs < 4711",
                            "user.slice/cgroup.procs < 4711",
                            "rmdir k/burstable/podu/c",
                            "rmdir k/burstable/podu",
                            "rmdir k/burstable",
                            "rmdir k",
                            "cgroup.subtree_control < -cpu",
                        }));
}

TEST_F(BenchCgroupTest, AFailureHalfWayDownTheChainRemovesWhatWasMade) {
    FakeCgroupFs fake(root_.string());
    fake.refuse_write = "k/burstable/cpu.weight";
    EXPECT_THROW(BenchCgroup(fake, "",
                             {{"k", 174, "kubepods", std::nullopt},
                              {"burstable", 174, "qos", std::nullopt},
                              {"pod", 174, "pod", std::nullopt}},
                             "", warn_),
                 Failure);
    EXPECT_FALSE(fs::exists(root_ / "k"));
    EXPECT_EQ(file("cgroup.subtree_control"), "memory pids");
    EXPECT_EQ(std::vector<std::string>(fake.log.end() - 3, fake.log.end()),
              (std::vector<std::string>{"rmdir k/burstable", "rmdir k",
                                        "cgroup.subtree_control < -cpu"}));
}

TEST_F(BenchCgroupTest, BelowAParentEnablesCpuAllTheWayDown) {
    const FakeCgroupFs fake(root_.string());
    {
        BenchCgroup group(fake, "kubepods", "pod", 800, "", warn_);
        EXPECT_EQ(group.path(), "kubepods/pod");
        EXPECT_EQ(group.enabled(), (std::vector<std::string>{"", "kubepods"}));
        EXPECT_EQ(file("kubepods/cgroup.subtree_control"), "cpu");
        EXPECT_EQ(file("kubepods/pod/cpu.weight"), "800");
    }
    EXPECT_EQ(file("kubepods/cgroup.subtree_control"), "");
    EXPECT_EQ(file("cgroup.subtree_control"), "memory pids");
}

TEST_F(BenchCgroupTest, LeavesAlreadyEnabledControllersAlone) {
    put(root_ / "cgroup.subtree_control", "cpu memory");
    const FakeCgroupFs fake(root_.string());
    {
        BenchCgroup group(fake, "", "b", 1000, "", warn_);
        EXPECT_TRUE(group.enabled().empty());
        group.enter(1);
        // Leaving is left to the destructor: it goes home before the rmdir.
    }
    EXPECT_EQ(file("cgroup.subtree_control"), "cpu memory");
    EXPECT_EQ(fake.log,
              (std::vector<std::string>{"mkdir b", "b/cpu.weight < 1000", "b/cgroup.procs < 1",
                                        "cgroup.procs < 1", "rmdir b"}));
}

TEST_F(BenchCgroupTest, NoCpuControllerIsAFailureThatChangesNothing) {
    put(root_ / "cgroup.controllers", "memory pids");
    const FakeCgroupFs fake(root_.string());
    try {
        BenchCgroup group(fake, "", "b", 1000, "", warn_);
        FAIL() << "created a group without a cpu controller";
    } catch (const Failure& e) {
        EXPECT_NE(std::string(e.what()).find("cpu controller is not available"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(fake.log.empty());
    EXPECT_FALSE(fs::exists(root_ / "b"));
}

TEST_F(BenchCgroupTest, AFailedStepUndoesTheOnesBefore) {
    FakeCgroupFs fake(root_.string());
    fake.refuse_write = "b/cpu.weight";
    EXPECT_THROW(BenchCgroup(fake, "", "b", 1000, "", warn_), Failure);
    EXPECT_FALSE(fs::exists(root_ / "b"));
    EXPECT_EQ(file("cgroup.subtree_control"), "memory pids");
    EXPECT_EQ(fake.log.back(), "cgroup.subtree_control < -cpu");
}

TEST_F(BenchCgroupTest, ABusyParentSaysWhy) {
    FakeCgroupFs fake(root_.string());
    fake.refuse_write = "kubepods/cgroup.subtree_control";
    put(root_ / "cgroup.subtree_control", "cpu");
    put(root_ / "kubepods" / "cgroup.controllers", "cpu memory");
    try {
        BenchCgroup group(fake, "kubepods", "b", 1000, "", warn_);
        FAIL();
    } catch (const Failure& e) {
        EXPECT_NE(std::string(e.what()).find("--cgroup-parent"), std::string::npos) << e.what();
    }
}

TEST_F(BenchCgroupTest, CleanupFailuresAreWarnings) {
    FakeCgroupFs fake(root_.string());
    {
        BenchCgroup group(fake, "", "b", 1000, "gone", warn_);
        group.enter(7);
    } // going home fails: "gone" has no cgroup.procs
    ASSERT_EQ(warnings_.size(), 1u);
    EXPECT_NE(warnings_[0].find("gone/cgroup.procs"), std::string::npos) << warnings_[0];
    EXPECT_FALSE(fs::exists(root_ / "b"));
}

TEST(BenchCgroupPaths, Normalize) {
    EXPECT_EQ(normalize_cgroup_path(""), "");
    EXPECT_EQ(normalize_cgroup_path("/"), "");
    EXPECT_EQ(normalize_cgroup_path("/a//b/"), "a/b");
    EXPECT_EQ(normalize_cgroup_path("kubepods.slice"), "kubepods.slice");
    EXPECT_THROW(normalize_cgroup_path("a/../b"), std::invalid_argument);
    EXPECT_THROW(normalize_cgroup_path("./a"), std::invalid_argument);
}

TEST(BenchCgroupPaths, Lineage) {
    EXPECT_EQ(cgroup_lineage(""), std::vector<std::string>{""});
    EXPECT_EQ(cgroup_lineage("a"), (std::vector<std::string>{"", "a"}));
    EXPECT_EQ(cgroup_lineage("a/b/c"), (std::vector<std::string>{"", "a", "a/b", "a/b/c"}));
    EXPECT_EQ(cgroup_join("", "x"), "x");
    EXPECT_EQ(cgroup_join("a/b", "x"), "a/b/x");
}

TEST(BenchCgroupPaths, ProcCgroup) {
    EXPECT_EQ(parse_proc_cgroup("0::/\n"), "");
    EXPECT_EQ(parse_proc_cgroup("0::/user.slice/user-0.slice/session-1.scope\n"),
              "user.slice/user-0.slice/session-1.scope");
    // Hybrid hierarchies list the v1 controllers first.
    EXPECT_EQ(parse_proc_cgroup("12:cpu,cpuacct:/\n4:memory:/x\n0::/init.scope\n"), "init.scope");
    EXPECT_THROW(parse_proc_cgroup("4:memory:/\n"), Failure);
}

TEST(BenchCgroupPaths, FindsTheCgroup2Mount) {
    std::vector<sys::MountInfoEntry> mounts(3);
    mounts[0].fstype = "cgroup";
    mounts[0].root = "/";
    mounts[0].mount_point = "/sys/fs/cgroup/cpu";
    mounts[1].fstype = "cgroup2";
    mounts[1].root = "/";
    mounts[1].mount_point = "/sys/fs/cgroup/unified";
    mounts[2].fstype = "cgroup2";
    mounts[2].root = "/";
    mounts[2].mount_point = "/other";
    EXPECT_EQ(find_cgroup2_mount(mounts), "/sys/fs/cgroup/unified");
    mounts.resize(1);
    EXPECT_EQ(find_cgroup2_mount(mounts), std::nullopt);
}

TEST(BenchKworkers, NamesOfACpusWorkers) {
    EXPECT_TRUE(is_cpu_kworker("kworker/1:2", 1));
    EXPECT_TRUE(is_cpu_kworker("kworker/1:1H-kblockd", 1));
    EXPECT_TRUE(is_cpu_kworker("kworker/1:3-dio/nvme0n1", 1));
    EXPECT_FALSE(is_cpu_kworker("kworker/11:2", 1));
    EXPECT_FALSE(is_cpu_kworker("kworker/u4:0-events_unbound", 1));
    EXPECT_FALSE(is_cpu_kworker("kworker/0:1", 1));
    EXPECT_FALSE(is_cpu_kworker("kworker/1:", 1));
    EXPECT_FALSE(is_cpu_kworker("ksoftirqd/1", 1));
}

TEST(BenchKworkers, NiceFromStat) {
    EXPECT_EQ(parse_stat_nice("52 (kworker/1:1H-kblockd) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 0 "
                              "-20 1 0 140 0 0"),
              -20);
    // A comm with spaces and parentheses.
    EXPECT_EQ(parse_stat_nice("9 (a) (b c) S 1 9 9 0 -1 4194560 0 0 0 0 0 0 0 0 20 5 1 0 1 0 0"),
              5);
    EXPECT_THROW(parse_stat_nice("9 (short) S 1"), std::invalid_argument);
}

TEST(BenchKworkers, FoundInProc) {
    const fs::path proc = testing_support::temp_path("diowq-proc-test");
    fs::remove_all(proc);
    const auto task = [&](int pid, const std::string& comm, int nice) {
        put(proc / std::to_string(pid) / "comm", comm + "\n");
        put(proc / std::to_string(pid) / "stat", std::to_string(pid) + " (" + comm +
                                                     ") I 2 0 0 0 -1 0 0 0 0 0 0 0 0 0 0 " +
                                                     std::to_string(nice) + " 1 0 1 0 0\n");
    };
    task(80, "kworker/1:2-dio/vda", 0);
    task(23, "kworker/1:1H-kblockd", -20);
    task(24, "kworker/0:1", 0);
    task(99, "fio", 0);
    put(proc / "self" / "comm", "kworker/1:9\n");
    const auto found = find_cpu_kworkers(1, proc.string());
    EXPECT_EQ(found, (std::vector<Kworker>{{23, "kworker/1:1H-kblockd", -20},
                                           {80, "kworker/1:2-dio/vda", 0}}));
    fs::remove_all(proc);
}

constexpr const char* interrupts = R"(           CPU0       CPU1       
  1:          9          0   IO-APIC   1-edge      i8042
 24:          0          0  PCI-MSIX-0000:00:04.0   0-edge      nvme0q0
 25:         12          0  PCI-MSIX-0000:00:04.0   1-edge      nvme0q1
 26:          3     654321  PCI-MSIX-0000:00:04.0   2-edge      nvme0q2
 27:          0       1000  PCI-MSIX-0000:00:05.0   2-edge      nvme10q2
 28:          5          5  PCI-MSIX-0000:00:03.0   1-edge      virtio1-req.0
NMI:          0          0   Non-maskable interrupts
ERR:          0
)";

// The beginning of 6.1's sched/debug, two CPUs, cut down.
constexpr const char* sched_debug = R"(Sched Debug Version: v0.11, 6.1.0-56-amd64 #1
ktime                                   : 61234.567890
jiffies                                 : 4294905630

sysctl_sched
  .sysctl_sched_latency                    : 12.000000

cpu#0, 2596.135 MHz
  .nr_running                    : 0
  .nr_switches                   : 151234
  .nr_uninterruptible            : -3

cfs_rq[0]:/
  .nr_running                    : 0

cpu#1, 2596.135 MHz
  .nr_running                    : 2
  .nr_switches                   : 9876543210
  .nr_uninterruptible            : 3
)";

TEST(BenchCounters, SwitchesFromSchedDebug) {
    EXPECT_EQ(parse_sched_debug_switches(sched_debug, 0), 151234u);
    EXPECT_EQ(parse_sched_debug_switches(sched_debug, 1), 9876543210u);
    EXPECT_EQ(parse_sched_debug_switches(sched_debug, 2), std::nullopt);
    EXPECT_EQ(parse_sched_debug_switches("cpu#1\n  .nr_switches : 7\n", 1), 7u); // not x86
    EXPECT_EQ(parse_sched_debug_switches("cpu#10, 1 MHz\n  .nr_switches : 7\n", 1), std::nullopt);
    EXPECT_EQ(parse_sched_debug_switches("", 0), std::nullopt);
}

TEST(BenchCounters, ReadsTheFileItFinds) {
    const fs::path dir = testing_support::temp_path("diowq-sched-test");
    fs::remove_all(dir);
    put(dir / "debug", sched_debug);
    const ContextSwitchCounter counter(1, {(dir / "missing").string(), (dir / "debug").string()});
    EXPECT_TRUE(counter.available());
    EXPECT_EQ(counter.source(), "sched_debug");
    EXPECT_EQ(counter.read(), 9876543210u);
    put(dir / "debug", "cpu#1, 1 MHz\n  .nr_switches                   : 9876543299\n");
    EXPECT_EQ(counter.read(), 9876543299u);
    fs::remove_all(dir);
}

TEST(BenchInterrupts, PerCpuForOneDevice) {
    EXPECT_EQ(device_interrupts(interrupts, "nvme0"), (std::vector<std::uint64_t>{15, 654321}));
    EXPECT_EQ(device_interrupts(interrupts, "virtio1"), (std::vector<std::uint64_t>{5, 5}));
    EXPECT_EQ(device_interrupts(interrupts, "nvme1"), (std::vector<std::uint64_t>{0, 0}));
    EXPECT_TRUE(device_interrupts("", "nvme0").empty());
}

TEST(BenchInterrupts, ShareOfTheLoadsCpu) {
    RunRecord record;
    EXPECT_EQ(record.interrupt_share(1), std::nullopt);
    record.interrupts = {25, 75};
    EXPECT_EQ(record.interrupt_share(1), 0.75);
    EXPECT_EQ(record.interrupt_share(2), std::nullopt);
}

TEST(BenchInterrupts, DeviceNameOfADiskAndOfAPartition) {
    const fs::path sys = testing_support::temp_path("diowq-sys-test");
    fs::remove_all(sys);
    const fs::path disk = sys / "devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1";
    fs::create_directories(disk / "nvme0n1p1");
    put(disk / "nvme0n1p1" / "partition", "1\n");
    fs::create_directory_symlink("../../nvme0", disk / "device");
    fs::create_directories(sys / "dev/block");
    fs::create_directory_symlink(disk, sys / "dev/block/259:0");
    fs::create_directory_symlink(disk / "nvme0n1p1", sys / "dev/block/259:1");
    EXPECT_EQ(interrupt_name_of(259, 0, sys.string()), "nvme0");
    EXPECT_EQ(interrupt_name_of(259, 1, sys.string()), "nvme0");
    EXPECT_EQ(interrupt_name_of(253, 0, sys.string()), std::nullopt);
    fs::remove_all(sys);
}

// A partition's write cache is its disk's; a device sysfs does not know has none.
TEST(BenchBlockDevice, WriteCacheOfADiskAndOfAPartition) {
    const fs::path sys = testing_support::temp_path("diowq-sys-cache-test");
    fs::remove_all(sys);
    const fs::path disk = sys / "devices/virtual/block/vdb";
    fs::create_directories(disk / "vdb1");
    fs::create_directories(disk / "queue");
    put(disk / "vdb1" / "partition", "1\n");
    put(disk / "queue" / "write_cache", "write back\n");
    put(disk / "queue" / "fua", "0\n");
    fs::create_directories(sys / "dev/block");
    fs::create_directory_symlink(disk, sys / "dev/block/254:16");
    fs::create_directory_symlink(disk / "vdb1", sys / "dev/block/254:17");
    for (const std::uint32_t minor : {16U, 17U}) {
        const WriteCache cache = write_cache_of(254, minor, sys.string());
        EXPECT_EQ(cache.mode, "write back");
        EXPECT_EQ(cache.fua, false);
    }
    put(disk / "queue" / "fua", "1\n");
    EXPECT_EQ(write_cache_of(254, 17, sys.string()).fua, true);
    const WriteCache none = write_cache_of(253, 0, sys.string());
    EXPECT_EQ(none.mode, std::nullopt);
    EXPECT_EQ(none.fua, std::nullopt);
    fs::remove_all(sys);
}

TEST(BenchMatrix, InterleavesAndRotatesEachRound) {
    using Slot = std::pair<std::size_t, unsigned>;
    EXPECT_EQ(interleave(3, 2),
              (std::vector<Slot>{{0, 0}, {1, 0}, {2, 0}, {1, 1}, {2, 1}, {0, 1}}));
    EXPECT_EQ(interleave(1, 3), (std::vector<Slot>{{0, 0}, {0, 1}, {0, 2}}));
    EXPECT_TRUE(interleave(0, 3).empty());
}

} // namespace
} // namespace diowq::bench
