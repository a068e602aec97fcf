// SPDX-License-Identifier: GPL-2.0
// diowqctl apply: the transaction (mounts first, settings last, everything this run changed put
// back when a step fails), which new mounts --watch tunes, and its command line.
#include <cerrno>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "cli/command_line.hpp"
#include "commands/apply_transaction.hpp"
#include "commands/apply_watch.hpp"
#include "errors.hpp"
#include "netlink/extack.hpp"

namespace diowq::commands {
namespace {

// The module, as far as apply uses it: tuning in the current mode changes nothing.
class FakeModule : public TuningBackend, public SettingsBackend {
public:
    std::map<int, SuperblockStatus> tuned;
    std::map<std::string, sys::WorkqueueTunables> tunables;
    std::vector<std::string> calls;
    std::set<int> refuse_tune;
    bool refuse_settings = false;
    std::optional<ConfigChange> settings;

    std::optional<SuperblockStatus> get_superblock(int fd) override {
        const auto it = tuned.find(fd);
        return it == tuned.end() ? std::nullopt : std::optional(it->second);
    }
    void tune(int fd, std::optional<Mode> mode) override {
        calls.push_back("tune " + std::to_string(fd) + " " + mode_name(mode.value()));
        if (refuse_tune.count(fd) > 0) {
            throw nl::KernelError({EOPNOTSUPP, "not xfs or ext4", {}});
        }
        auto& sb = tuned[fd];
        if (sb.mode == mode) {
            return;
        }
        sb.id = "sb" + std::to_string(fd);
        sb.mode = mode;
        sb.workqueue = "diowq-" + sb.id + "." + std::to_string(calls.size());
        if (mode == Mode::unbound) {
            tunables[*sb.workqueue] = {-20, "3"};
        }
    }
    void tune_cgroup(int fd, const CgroupRequest& cgroup) override {
        calls.push_back("tune " + std::to_string(fd) + " cgroup " + std::to_string(cgroup.dir_fd));
    }
    void untune(int fd) override {
        calls.push_back("untune " + std::to_string(fd));
        tuned.erase(fd);
    }
    void wait_cgroup_gone(const std::string& leaf) override { calls.push_back("wait " + leaf); }
    sys::WorkqueueTunables read_tunables(const std::string& queue) override {
        return tunables.at(queue);
    }
    void write_nice(const std::string& queue, int nice) override {
        calls.push_back("nice " + std::to_string(nice));
        tunables.at(queue).nice = nice;
    }
    void write_cpumask(const std::string& queue, const std::string& mask) override {
        calls.push_back("cpumask " + mask);
        tunables.at(queue).cpumask = mask;
    }
    void set_config(const ConfigChange& change) override {
        calls.push_back("set_config");
        if (refuse_settings) {
            throw nl::KernelError({ENODEV, "", {}});
        }
        settings = change;
    }

    void preset(int fd, Mode mode, sys::WorkqueueTunables t = {-20, "3"}) {
        SuperblockStatus sb;
        sb.id = "sb" + std::to_string(fd);
        sb.mode = mode;
        sb.workqueue = "diowq-" + sb.id;
        tuned[fd] = sb;
        if (mode == Mode::unbound) {
            tunables[*sb.workqueue] = t;
        }
    }
};

std::vector<MountStep> steps(std::initializer_list<std::pair<int, Mode>> list) {
    std::vector<MountStep> out;
    for (const auto& [fd, mode] : list) {
        out.push_back({{"/m" + std::to_string(fd), fd}, mode});
    }
    return out;
}

const ConfigChange xfs_auto{std::nullopt, std::vector<std::string>{"xfs"}};

TEST(ApplySteps, TunesEachMountThenSetsTheSettings) {
    FakeModule module;
    module.preset(4, Mode::highpri);
    module.preset(5, Mode::highpri);
    const auto lines = apply_steps(
        module, module, steps({{3, Mode::unbound}, {4, Mode::highpri}, {5, Mode::unbound}}),
        xfs_auto, false);
    EXPECT_EQ(lines, (std::vector<std::string>{"tuned /m3: unbound", "/m4: already tuned, highpri",
                                               "tuned /m5: highpri -> unbound"}));
    EXPECT_EQ(module.calls, (std::vector<std::string>{"tune 3 unbound", "tune 4 highpri",
                                                      "tune 5 unbound", "set_config"}));
    EXPECT_EQ(module.settings, xfs_auto);
}

TEST(ApplySteps, NoSettingsToChangeSendsNone) {
    FakeModule module;
    apply_steps(module, module, steps({{3, Mode::highpri}}), ConfigChange{}, false);
    EXPECT_EQ(module.calls, (std::vector<std::string>{"tune 3 highpri"}));
}

TEST(ApplySteps, DryRunChangesNothingAndSaysWhatItWouldDo) {
    FakeModule module;
    module.preset(4, Mode::unbound);
    const auto lines = apply_steps(module, module, steps({{3, Mode::highpri}, {4, Mode::highpri}}),
                                   xfs_auto, true);
    EXPECT_EQ(lines, (std::vector<std::string>{"would tune /m3: highpri",
                                               "would tune /m4: unbound -> highpri"}));
    EXPECT_TRUE(module.calls.empty());
}

TEST(ApplySteps, AFailedMountPutsBackTheOnesBefore) {
    FakeModule module;
    module.preset(4, Mode::unbound, {-5, "1"});
    module.refuse_tune.insert(5);
    try {
        apply_steps(module, module,
                    steps({{3, Mode::highpri}, {4, Mode::highpri}, {5, Mode::highpri}}), xfs_auto,
                    false);
        FAIL();
    } catch (const Failure& e) {
        EXPECT_EQ(std::string(e.what()),
                  "tune /m5: Operation not supported; kernel: not xfs or ext4\n"
                  "rolled back /m4: tuned it again in mode unbound, with its old nice and cpumask\n"
                  "rolled back /m3: untuned it again\n"
                  "nothing was changed");
    }
    EXPECT_EQ(module.tuned.count(3), 0u);
    EXPECT_EQ(module.tuned.at(4).mode, Mode::unbound);
    EXPECT_EQ(module.tunables.at(*module.tuned.at(4).workqueue), (sys::WorkqueueTunables{-5, "1"}));
    EXPECT_FALSE(module.settings);
}

TEST(ApplySteps, RefusedSettingsPutBackEveryMount) {
    FakeModule module;
    module.preset(4, Mode::highpri);
    module.refuse_settings = true;
    try {
        apply_steps(module, module, steps({{3, Mode::unbound}, {4, Mode::highpri}}), xfs_auto,
                    false);
        FAIL();
    } catch (const Failure& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("setting the module's settings: ", 0), 0u) << message;
        EXPECT_NE(message.find("rolled back /m3: untuned it again"), std::string::npos);
        // /m4 was already as asked: nothing to undo, nothing said.
        EXPECT_EQ(message.find("/m4"), std::string::npos) << message;
        EXPECT_NE(message.find("\nnothing was changed"), std::string::npos);
    }
    EXPECT_EQ(module.tuned.count(3), 0u);
    EXPECT_EQ(module.tuned.at(4).mode, Mode::highpri);
}

sys::MountInfoEntry mount(std::uint64_t id, const std::string& point) {
    sys::MountInfoEntry entry;
    entry.mount_id = id;
    entry.mount_point = point;
    entry.fstype = "xfs";
    return entry;
}

std::string no_links(const std::string& path) {
    return path;
}

TEST(Watch, OnlyNewMountsAreDue) {
    std::vector<WatchedMount> watched{{{"/a", Mode::highpri, 1}, 0},
                                      {{"/b", Mode::unbound, 2}, 20}};
    // /b is mounted already (id 20): nothing to do.
    EXPECT_TRUE(newly_mounted(watched, {mount(1, "/"), mount(20, "/b")}, no_links).empty());
    // /a gets mounted.
    EXPECT_EQ(newly_mounted(watched, {mount(1, "/"), mount(20, "/b"), mount(21, "/a")}, no_links),
              (std::vector<std::size_t>{0}));
    EXPECT_EQ(watched[0].mount_id, 21u);
    // Another mount elsewhere changes nothing; /b unmounted: nothing to tune.
    EXPECT_TRUE(newly_mounted(watched, {mount(1, "/"), mount(21, "/a"), mount(22, "/c")}, no_links)
                    .empty());
    EXPECT_EQ(watched[1].mount_id, 0u);
    // /b mounted again: due again.
    EXPECT_EQ(newly_mounted(watched, {mount(1, "/"), mount(21, "/a"), mount(23, "/b")}, no_links),
              (std::vector<std::size_t>{1}));
}

TEST(Watch, TheTopMountCountsAndLinksAreResolved) {
    const auto link = [](const std::string& path) {
        return path == "/data" ? std::string("/srv/data") : path;
    };
    EXPECT_EQ(mount_id_at("/data", {mount(5, "/srv/data"), mount(9, "/srv/data")}, link), 9u);
    EXPECT_EQ(mount_id_at("/data", {mount(5, "/srv/other")}, link), 0u);
}

} // namespace
} // namespace diowq::commands

namespace diowq::cli {
namespace {

struct Parsed {
    ParseResult result;
    std::string err;
};

Parsed parse(const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    return {parse_command_line(args, out, err), err.str()};
}

TEST(ApplyCommandLine, Defaults) {
    const auto parsed = parse({"apply"});
    ASSERT_TRUE(parsed.result.invocation) << parsed.err;
    const auto& options = std::get<ApplyOptions>(parsed.result.invocation->command);
    EXPECT_EQ(options, (ApplyOptions{"/etc/diowq.conf", false, false, std::nullopt}));
}

TEST(ApplyCommandLine, EveryOption) {
    const auto parsed =
        parse({"apply", "--config", "/tmp/x.conf", "--watch", "--mount-namespace-of", "1"});
    ASSERT_TRUE(parsed.result.invocation) << parsed.err;
    EXPECT_EQ(std::get<ApplyOptions>(parsed.result.invocation->command),
              (ApplyOptions{"/tmp/x.conf", false, true, 1}));
    const auto dry = parse({"apply", "-n", "-c", "a.conf"});
    ASSERT_TRUE(dry.result.invocation) << dry.err;
    EXPECT_EQ(std::get<ApplyOptions>(dry.result.invocation->command),
              (ApplyOptions{"a.conf", true, false, std::nullopt}));
}

TEST(ApplyCommandLine, Mistakes) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"apply", "--dry-run", "--watch"},
                                               {"apply", "--mount-namespace-of", "0"},
                                               {"apply", "--config"},
                                               {"apply", "extra"}}) {
        const auto parsed = parse(args);
        EXPECT_FALSE(parsed.result.invocation) << args.back();
        EXPECT_EQ(parsed.result.exit_code, exit_usage);
        EXPECT_EQ(parsed.err.rfind("diowqctl: ", 0), 0u) << parsed.err;
    }
}

} // namespace
} // namespace diowq::cli
