// SPDX-License-Identifier: GPL-2.0
// A process's cgroup v2 group and the weight it competes with (cpu.weight).
//
// Dio completion workers are kernel threads of the root cgroup. Under the cpu controller, the
// root's tasks compete with the root's child groups, each child by its cpu.weight (a nice-0 task
// counts as weight 100); weights further down only split a child's share among its own children.
// So what a completion worker is up against is the weight of the top-level group that holds the
// busy process: /kubepods for /kubepods/burstable/pod1/c1. That is the weight reported.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace diowq::sys {

// The cgroup v2 path in the text of /proc/PID/cgroup (its "0::/path" line), as written there:
// "/" for the root, possibly "/../x" for a group outside our cgroup namespace. nullopt without a
// v2 line.
std::optional<std::string> parse_proc_cgroup_v2(std::string_view text);

// The value of a cpu.weight file ("100\n" -> 100, 1..10000); nullopt for anything else.
std::optional<std::uint32_t> parse_cpu_weight(std::string_view text);

// The top-level group holding `path`: "/a/b/c" -> "/a", "/a" -> "/a"; nullopt for the root "/"
// and for paths outside our namespace ("/../x"), which have no weight we can read.
std::optional<std::string> top_level_cgroup(std::string_view path);

struct CgroupWeight {
    std::string cgroup;                  // the process's group, "/a/b/c"
    std::optional<std::string> weighted; // the top-level group whose weight counts, "/a"
    std::optional<std::uint32_t> weight; // its cpu.weight: nullopt in the root, or without the
                                         // cpu controller there
};

// The group of `pid` and its weight, reading PROC/PID/cgroup and CGROUP2_ROOT/TOP/cpu.weight.
// nullopt when the process is gone or has no v2 group.
std::optional<CgroupWeight> read_cgroup_weight(int pid, const std::string& cgroup2_root,
                                               const std::string& proc = "/proc");

} // namespace diowq::sys
