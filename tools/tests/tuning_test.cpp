// SPDX-License-Identifier: GPL-2.0
// Multi-path tune and untune: all or nothing, and an exact report when something fails. A fake
// backend plays the module (same rules: tuning in the current mode changes nothing, untuning an
// untuned filesystem is ENOENT) and the workqueue sysfs files.
#include <cerrno>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "commands/tuning.hpp"
#include "errors.hpp"
#include "model_values.hpp"
#include "netlink/extack.hpp"

namespace diowq::commands {
namespace {

class FakeBackend : public TuningBackend {
public:
    std::map<int, SuperblockStatus> tuned;
    std::map<std::string, sys::WorkqueueTunables> tunables;
    std::vector<std::string> calls;
    std::map<int, nl::KernelAck> refuse_tune;   // fd -> the kernel's answer
    std::map<int, nl::KernelAck> refuse_untune; // fd -> the kernel's answer
    std::set<std::string> refuse_cpumask;       // queue names
    std::map<int, std::string> cgroup_dirs;     // dir fd -> its path
    std::set<std::string> stuck_leaves;         // leaves wait_cgroup_gone() finds there

    std::optional<SuperblockStatus> get_superblock(int fd) override {
        calls.push_back("get " + std::to_string(fd));
        const auto it = tuned.find(fd);
        return it == tuned.end() ? std::nullopt : std::optional(it->second);
    }

    void tune(int fd, std::optional<Mode> mode) override {
        calls.push_back("tune " + std::to_string(fd) + (mode ? " " + mode_name(*mode) : ""));
        if (const auto it = refuse_tune.find(fd); it != refuse_tune.end()) {
            throw nl::KernelError(it->second);
        }
        const Mode wanted = mode.value_or(Mode::highpri);
        const auto it = tuned.find(fd);
        if (it != tuned.end() && it->second.mode == wanted) {
            return;
        }
        SuperblockStatus& sb = tuned[fd];
        const std::uint64_t swaps = sb.swaps.value_or(0) + 1;
        sb.id = "sb" + std::to_string(fd);
        sb.mode = wanted;
        sb.swaps = swaps;
        // Only mode cgroup has a leaf.
        sb.cgroup.reset();
        sb.cgroup_weight.reset();
        sb.diverted.reset();
        if (!sb.origin) {
            sb.origin = Origin::manual;
        }
        // A new queue each swap, as the module names one while the old one retires.
        sb.workqueue = "diowq-" + sb.id + (swaps > 1 ? "." + std::to_string(swaps) : "");
        if (wanted == Mode::unbound) {
            tunables[*sb.workqueue] = {-20, "3"};
        }
    }

    void tune_cgroup(int fd, const CgroupRequest& cgroup) override {
        calls.push_back("tune " + std::to_string(fd) + " cgroup " + cgroup_dirs.at(cgroup.dir_fd) +
                        (cgroup.weight ? " " + std::to_string(*cgroup.weight) : ""));
        if (const auto it = refuse_tune.find(fd); it != refuse_tune.end()) {
            throw nl::KernelError(it->second);
        }
        SuperblockStatus& sb = tuned[fd];
        const std::string leaf = cgroup_dirs.at(cgroup.dir_fd) + "/diowq-sb" + std::to_string(fd);
        const std::uint32_t weight = cgroup.weight.value_or(DIOWQ_CG_WEIGHT);
        if (sb.mode == Mode::cgroup && sb.cgroup == leaf) {
            sb.cgroup_weight = weight;
            return;
        }
        sb.id = "sb" + std::to_string(fd);
        sb.mode = Mode::cgroup;
        sb.swaps = sb.swaps.value_or(0) + 1;
        sb.origin = sb.origin.value_or(Origin::manual);
        sb.workqueue = "diowq-" + sb.id + "." + std::to_string(*sb.swaps);
        sb.cgroup = leaf;
        sb.cgroup_weight = weight;
        sb.diverted = 0;
    }

    void wait_cgroup_gone(const std::string& leaf) override {
        calls.push_back("wait " + leaf);
        if (stuck_leaves.count(leaf) > 0) {
            throw Failure("leaf " + leaf + " stays");
        }
    }

    void untune(int fd) override {
        calls.push_back("untune " + std::to_string(fd));
        if (const auto it = refuse_untune.find(fd); it != refuse_untune.end()) {
            throw nl::KernelError(it->second);
        }
        if (tuned.erase(fd) == 0) {
            throw nl::KernelError({ENOENT, "not tuned", {}});
        }
    }

    sys::WorkqueueTunables read_tunables(const std::string& queue) override {
        calls.push_back("read " + queue);
        const auto it = tunables.find(queue);
        if (it == tunables.end()) {
            throw Failure("cannot read " + queue);
        }
        return it->second;
    }

    void write_nice(const std::string& queue, int nice) override {
        calls.push_back("nice " + queue + " " + std::to_string(nice));
        tunables.at(queue).nice = nice;
    }

    void write_cpumask(const std::string& queue, const std::string& mask) override {
        calls.push_back("cpumask " + queue + " " + mask);
        if (refuse_cpumask.count(queue) > 0) {
            throw Failure("cannot write '" + mask + "' to .../" + queue +
                          "/cpumask: Invalid argument");
        }
        tunables.at(queue).cpumask = mask;
    }

    // An already tuned filesystem, as the module would report it.
    void preset(int fd, Mode mode, Origin origin, std::optional<sys::WorkqueueTunables> t = {}) {
        SuperblockStatus sb = test::only_id("sb" + std::to_string(fd));
        sb.mode = mode;
        sb.origin = origin;
        sb.swaps = 1;
        sb.workqueue = "diowq-" + sb.id;
        tuned[fd] = sb;
        if (t) {
            tunables[*sb.workqueue] = *t;
        }
    }
};

const std::vector<Target> ab{{"/a", 3}, {"/b", 4}};

std::string failure_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Failure& e) {
        return e.what();
    }
    return "no failure";
}

TEST(Tune, AllSucceed) {
    FakeBackend fake;
    tune_all(fake, ab, {Mode::highpri, {}, {}, {}});
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"get 3", "get 4", "tune 3 highpri", "get 3",
                                                    "tune 4 highpri", "get 4"}));
    EXPECT_EQ(fake.tuned.size(), 2u);
}

TEST(Tune, WithoutModeLetsTheModuleChoose) {
    FakeBackend fake;
    tune_all(fake, {{"/a", 3}}, {});
    EXPECT_EQ(fake.calls[1], "tune 3");
}

TEST(Tune, FirstRefusedChangesNothing) {
    FakeBackend fake;
    fake.refuse_tune[3] = {EINVAL, "not the root of a mount", {}};
    EXPECT_EQ(failure_of([&] { tune_all(fake, ab, {}); }),
              "tune /a: Invalid argument; kernel: not the root of a mount\n"
              "nothing was changed");
    EXPECT_TRUE(fake.tuned.empty());
}

TEST(Tune, LaterRefusalUntunesTheEarlierOnes) {
    FakeBackend fake;
    fake.refuse_tune[4] = {EOPNOTSUPP, "filesystem type not supported (xfs and ext4 are)", {}};
    EXPECT_EQ(failure_of([&] {
                  tune_all(fake, ab, {Mode::highpri, {}, {}, {}});
              }),
              "tune /b: Operation not supported; kernel: filesystem type not supported (xfs and "
              "ext4 are)\n"
              "rolled back /a: untuned it again\n"
              "nothing was changed");
    EXPECT_TRUE(fake.tuned.empty());
    EXPECT_EQ(fake.calls.back(), "untune 3");
}

TEST(Tune, PermissionErrorSaysWhatIsNeeded) {
    FakeBackend fake;
    fake.refuse_tune[3] = {EPERM, "", {}};
    EXPECT_EQ(failure_of([&] { tune_all(fake, ab, {}); }),
              "tune /a: Operation not permitted: changing diowq needs CAP_NET_ADMIN and "
              "CAP_SYS_ADMIN; run diowqctl as root\n"
              "nothing was changed");
}

TEST(Tune, PermissionErrorFromTheModuleIsNotRepeated) {
    FakeBackend fake;
    fake.refuse_tune[3] = {EPERM, "changing diowq needs CAP_SYS_ADMIN", {}};
    EXPECT_EQ(failure_of([&] { tune_all(fake, ab, {}); }),
              "tune /a: Operation not permitted; kernel: changing diowq needs CAP_SYS_ADMIN; run "
              "diowqctl as root\n"
              "nothing was changed");
}

TEST(Tune, ModeSwitchIsUndoneWithTheOldTunables) {
    FakeBackend fake;
    fake.preset(3, Mode::unbound, Origin::automatic, sys::WorkqueueTunables{-5, "1"});
    fake.refuse_tune[4] = {ENODEV, "diowq is being unloaded", {}};
    EXPECT_EQ(failure_of([&] {
                  tune_all(fake, ab, {Mode::highpri, {}, {}, {}});
              }),
              "tune /b: No such device; kernel: diowq is being unloaded\n"
              "rolled back /a: tuned it again in mode unbound (its origin is now manual), with "
              "its old nice and cpumask\n"
              "nothing was changed");
    const SuperblockStatus& a = fake.tuned.at(3);
    EXPECT_EQ(a.mode, Mode::unbound);
    EXPECT_EQ(fake.tunables.at(*a.workqueue), (sys::WorkqueueTunables{-5, "1"}));
}

TEST(Tune, SameModeNeedsNoUndo) {
    FakeBackend fake;
    fake.preset(3, Mode::highpri, Origin::manual);
    fake.refuse_tune[4] = {EOPNOTSUPP, "", {}};
    EXPECT_EQ(failure_of([&] {
                  tune_all(fake, ab, {Mode::highpri, {}, {}, {}});
              }),
              "tune /b: Operation not supported\n"
              "nothing was changed");
    EXPECT_EQ(fake.tuned.at(3).mode, Mode::highpri);
    EXPECT_EQ(fake.calls.back(), "tune 4 highpri");
}

TEST(Tune, WritesCpumaskThenNice) {
    FakeBackend fake;
    tune_all(fake, {{"/a", 3}}, {Mode::unbound, -5, "b", {}});
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"get 3", "tune 3 unbound", "get 3",
                                                    "cpumask diowq-sb3 b", "nice diowq-sb3 -5"}));
    EXPECT_EQ(fake.tunables.at("diowq-sb3"), (sys::WorkqueueTunables{-5, "b"}));
}

TEST(Tune, RefusedCpumaskUndoesEveryTune) {
    FakeBackend fake;
    fake.refuse_cpumask.insert("diowq-sb4");
    EXPECT_EQ(failure_of([&] {
                  tune_all(fake, ab, {Mode::unbound, std::nullopt, "4", {}});
              }),
              "tune /b: cannot write '4' to .../diowq-sb4/cpumask: Invalid argument\n"
              "rolled back /b: untuned it again\n"
              "rolled back /a: untuned it again\n"
              "nothing was changed");
    EXPECT_TRUE(fake.tuned.empty());
}

TEST(Tune, ExistingUnboundQueueGetsItsTunablesBack) {
    FakeBackend fake;
    fake.preset(3, Mode::unbound, Origin::manual, sys::WorkqueueTunables{-20, "3"});
    fake.refuse_tune[4] = {EOPNOTSUPP, "", {}};
    EXPECT_EQ(failure_of([&] {
                  tune_all(fake, ab, {Mode::unbound, 0, "1", {}});
              }),
              "tune /b: Operation not supported\n"
              "rolled back /a: put its nice and cpumask back\n"
              "nothing was changed");
    EXPECT_EQ(fake.tunables.at("diowq-sb3"), (sys::WorkqueueTunables{-20, "3"}));
}

TEST(Tune, FailedRollbackSaysWhatIsLeftChanged) {
    FakeBackend fake;
    fake.refuse_tune[4] = {EOPNOTSUPP, "", {}};
    fake.refuse_untune[3] = {EINTR, "", {}};
    const std::vector<Target> abc{{"/a", 3}, {"/b", 4}, {"/c", 5}};
    EXPECT_EQ(failure_of([&] { tune_all(fake, abc, {}); }),
              "tune /b: Operation not supported\n"
              "could not roll back /a: Interrupted system call\n"
              "left changed: /a; unchanged: /b /c");
    EXPECT_EQ(fake.tuned.count(3), 1u);
}

TEST(Untune, AllSucceed) {
    FakeBackend fake;
    fake.preset(3, Mode::highpri, Origin::manual);
    fake.preset(4, Mode::highpri, Origin::manual);
    untune_all(fake, ab);
    EXPECT_TRUE(fake.tuned.empty());
}

TEST(Untune, RefusesBeforeChangingWhenOneIsNotTuned) {
    FakeBackend fake;
    fake.preset(3, Mode::highpri, Origin::manual);
    EXPECT_EQ(failure_of([&] { untune_all(fake, ab); }), "/b: not tuned\nnothing was changed");
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"get 3", "get 4"}));
}

TEST(Untune, LaterRefusalTunesTheEarlierOnesAgain) {
    FakeBackend fake;
    fake.preset(3, Mode::unbound, Origin::manual, sys::WorkqueueTunables{-3, "2"});
    fake.preset(4, Mode::highpri, Origin::manual);
    fake.refuse_untune[4] = {EPERM, "", {}};
    EXPECT_EQ(failure_of([&] { untune_all(fake, ab); }),
              "untune /b: Operation not permitted: changing diowq needs CAP_NET_ADMIN and "
              "CAP_SYS_ADMIN; run diowqctl as root\n"
              "rolled back /a: tuned it again in mode unbound, with its old nice and cpumask\n"
              "nothing was changed");
    ASSERT_EQ(fake.tuned.count(3), 1u);
    EXPECT_EQ(fake.tunables.at(*fake.tuned.at(3).workqueue), (sys::WorkqueueTunables{-3, "2"}));
}

// ---- mode cgroup -----------------------------------------------------------------------------

// A filesystem tuned in mode cgroup below `dir`, as the module reports it.
void preset_cgroup(FakeBackend& fake, int fd, const std::string& dir, std::uint32_t weight) {
    fake.preset(fd, Mode::cgroup, Origin::manual);
    auto& sb = fake.tuned[fd];
    sb.cgroup = dir + "/diowq-" + sb.id;
    sb.cgroup_weight = weight;
    sb.diverted = 10;
}

TEST(TuneCgroup, SendsTheDirectoryAndWaitsForNothingNew) {
    FakeBackend fake;
    fake.cgroup_dirs[9] = "/pod";
    TuneRequest request{Mode::cgroup, {}, {}, CgroupRequest{9, 500}};
    tune_all(fake, {{"/a", 3}}, request);
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"get 3", "tune 3 cgroup /pod 500", "get 3"}));
    EXPECT_EQ(fake.tuned.at(3).cgroup, "/pod/diowq-sb3");
}

TEST(TuneCgroup, SwitchingAwayWaitsForTheOldLeaf) {
    FakeBackend fake;
    preset_cgroup(fake, 3, "/pod", 10000);
    tune_all(fake, {{"/a", 3}}, {Mode::highpri, {}, {}, {}});
    EXPECT_EQ(fake.calls.back(), "wait /pod/diowq-sb3");
}

TEST(TuneCgroup, AnotherDirectoryWaitsForTheOldLeaf) {
    FakeBackend fake;
    preset_cgroup(fake, 3, "/pod", 10000);
    fake.cgroup_dirs[9] = "/other";
    tune_all(fake, {{"/a", 3}}, {Mode::cgroup, {}, {}, CgroupRequest{9, {}}});
    EXPECT_EQ(fake.calls.back(), "wait /pod/diowq-sb3");
    EXPECT_EQ(fake.tuned.at(3).cgroup, "/other/diowq-sb3");
}

TEST(TuneCgroup, SameDirectoryOnlyChangesTheWeight) {
    FakeBackend fake;
    preset_cgroup(fake, 3, "/pod", 10000);
    fake.cgroup_dirs[9] = "/pod";
    tune_all(fake, {{"/a", 3}}, {Mode::cgroup, {}, {}, CgroupRequest{9, 200}});
    // The same leaf: nothing to wait for.
    EXPECT_EQ(fake.calls.back(), "get 3");
    EXPECT_EQ(fake.tuned.at(3).cgroup_weight, 200u);
}

TEST(TuneCgroup, RollbackOfAFilesystemInModeCgroupReopensItsDirectory) {
    FakeBackend fake;
    preset_cgroup(fake, 3, "/nonexistent-diowq-pod", 700);
    fake.refuse_tune[4] = {EOPNOTSUPP, "filesystem type not supported (xfs and ext4 are)", {}};
    const auto failure = failure_of([&] { tune_all(fake, ab, {Mode::highpri, {}, {}, {}}); });
    // Its directory is opened again by path to tune it back: here it is gone, and the report
    // says so and that /a was left changed.
    EXPECT_NE(failure.find("cannot open the cgroup directory /nonexistent-diowq-pod"),
              std::string::npos)
        << failure;
    EXPECT_NE(failure.find("left changed: /a"), std::string::npos) << failure;
}

TEST(UntuneCgroup, WaitsForTheLeavesAfterEveryUntune) {
    FakeBackend fake;
    preset_cgroup(fake, 3, "/pod", 10000);
    fake.preset(4, Mode::highpri, Origin::manual);
    untune_all(fake, ab);
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"get 3", "get 4", "untune 3", "untune 4",
                                                    "wait /pod/diowq-sb3"}));
}

TEST(UntuneCgroup, ALeafThatStaysIsAFailureThatSaysTheUntuneHappened) {
    FakeBackend fake;
    preset_cgroup(fake, 3, "/pod", 10000);
    fake.stuck_leaves.insert("/pod/diowq-sb3");
    EXPECT_EQ(failure_of([&] { untune_all(fake, {{"/a", 3}}); }), "leaf /pod/diowq-sb3 stays");
    EXPECT_TRUE(fake.tuned.empty());
}

} // namespace
} // namespace diowq::commands
