// SPDX-License-Identifier: GPL-2.0
// The load's high-weight cgroup (cgroup v2): created under a parent with the cpu controller
// enabled on the way down to it, entered and left by the process that runs the load, and removed
// afterwards with every controller it enabled disabled again. One group (--hierarchy flat), or
// a chain of nested ones, each with its own cpu.weight, the load in the deepest (--hierarchy k8s:
// kubepods/burstable/pod<uid>/<container>).
//
// Paths are relative to the cgroup2 mount ("" is its root, "a/b" a group below), and every file
// operation goes through CgroupFs, which the tests replace with a directory of their own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "system/mountinfo.hpp"

namespace diowq::bench {

class CgroupFs {
public:
    explicit CgroupFs(std::string root)
        : root_(std::move(root)) {}
    virtual ~CgroupFs() = default;

    const std::string& root() const { return root_; }
    // root/relative; root itself for "".
    std::string absolute(std::string_view relative) const;

    // Each throws diowq::Failure naming the file and the error.
    virtual std::string read(const std::string& relative) const;
    virtual void write(const std::string& relative, const std::string& value) const;
    virtual void make_group(const std::string& relative) const;
    virtual void remove_group(const std::string& relative) const;

private:
    std::string root_;
};

// Where cgroup2 is mounted (the first mount with fstype cgroup2), or nullopt.
std::optional<std::string> find_cgroup2_mount(const std::vector<sys::MountInfoEntry>& mounts);

// The cgroup v2 path of a process from the text of /proc/PID/cgroup (its "0::/path" line), relative
// to the root ("" for "/"). Throws diowq::Failure when there is no v2 line.
std::string parse_proc_cgroup(std::string_view text);

// "a/b" from "/a//b/": throws std::invalid_argument for "." or ".." components.
std::string normalize_cgroup_path(std::string_view path);

// "a/b" -> {"", "a", "a/b"}: the groups from the root down to `path`.
std::vector<std::string> cgroup_lineage(const std::string& path);

// "a/b" + "c" -> "a/b/c"; "" + "c" -> "c".
std::string cgroup_join(const std::string& parent, std::string_view child);

// One group of the chain the bench creates: its name below the one above, its cpu.weight, and
// for the report what it stands for ("load" when flat; "kubepods", "qos", "pod", "container")
// and the cgroup v1 shares its weight was converted from, if any.
struct CgroupLevel {
    std::string name;
    unsigned weight = 100;
    std::string role = "load";
    std::optional<std::uint64_t> shares;

    bool operator==(const CgroupLevel&) const = default;
};

class BenchCgroup {
public:
    using Warn = std::function<void(const std::string&)>;

    // Enables the cpu controller from the root down to `parent` where it is not yet, creates
    // parent/name and sets its cpu.weight. `home` is where the process is now: leave() goes back
    // there. Throws diowq::Failure, having undone what it did.
    BenchCgroup(const CgroupFs& fs, const std::string& parent, const std::string& name,
                unsigned weight, std::string home, Warn warn);
    // The same for a chain: parent/levels[0]/levels[1]/..., each created with "+cpu" in its
    // cgroup.subtree_control (but the last: the load's) and its weight; removed deepest first.
    BenchCgroup(const CgroupFs& fs, const std::string& parent, std::vector<CgroupLevel> levels,
                std::string home, Warn warn);
    BenchCgroup(const BenchCgroup&) = delete;
    BenchCgroup& operator=(const BenchCgroup&) = delete;
    // Leaves the group if a process is still in it, removes it, disables what it enabled; what
    // fails is told to `warn`.
    ~BenchCgroup();

    // The load's group, the deepest, and its weight.
    const std::string& path() const { return path_; }
    unsigned weight() const { return levels_.back().weight; }
    // Every group created, top first, and its path.
    const std::vector<CgroupLevel>& levels() const { return levels_; }
    std::string level_path(std::size_t level) const;
    // The groups whose cgroup.subtree_control got "+cpu" from us, root first.
    const std::vector<std::string>& enabled() const { return enabled_; }

    // Moves the whole process (all its threads) into the group, and back home.
    void enter(pid_t pid);
    void leave();

private:
    void undo() noexcept;

    const CgroupFs& fs_;
    std::string parent_;
    std::vector<CgroupLevel> levels_;
    std::string path_;
    std::string home_;
    Warn warn_;
    std::vector<std::string> enabled_;
    std::size_t created_ = 0; // levels created, from the top
    std::optional<pid_t> inside_;
};

} // namespace diowq::bench
