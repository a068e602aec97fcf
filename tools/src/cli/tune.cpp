// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/subcommands.hpp"
#include "cli/validators.hpp"
#include "system/cpulist.hpp"

namespace diowq::cli {

namespace {

struct RawTune {
    std::vector<std::string> paths;
    std::string mode;
    int nice = 0;
    std::string cpus;
    std::string cgroup;
    std::uint32_t cgroup_weight = DIOWQ_CG_WEIGHT;
};

} // namespace

void add_tune_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand(
        "tune", "Give filesystems a dedicated completion queue, or switch its mode");
    auto raw = std::make_shared<RawTune>();
    sub->add_option("PATH", raw->paths, "Mount points of XFS or ext4 filesystems")
        ->required()
        ->type_name("");
    auto* mode = sub->add_option("-m,--mode", raw->mode,
                                 fmt::format("{} (default: see `diowqctl auto`)", mode_names()))
                     ->type_name("MODE")
                     ->check(mode_validator());
    auto* nice =
        sub->add_option("-n,--nice", raw->nice, "Nice of the queue's workers, -20..19 (unbound)")
            ->type_name("N")
            ->check(CLI::Range(-20, 19).description(""));
    auto* cpus =
        sub->add_option("-c,--cpus", raw->cpus, "CPUs its workers may use, e.g. 0-1,3 (unbound)")
            ->type_name("LIST")
            ->check(cpulist_validator());
    auto* cgroup = sub->add_option("--cgroup", raw->cgroup,
                                   "cgroup v2 directory to account completions to (mode cgroup)")
                       ->type_name("DIR");
    auto* weight =
        sub->add_option("--cgroup-weight", raw->cgroup_weight,
                        fmt::format("cpu.weight of the leaf, {}..{} (mode cgroup; default {})",
                                    DIOWQ_CG_WEIGHT_MIN, DIOWQ_CG_WEIGHT_MAX, DIOWQ_CG_WEIGHT))
            ->type_name("N")
            ->check(cgroup_weight_validator());
    sub->footer(R"(Every PATH is checked first (it exists, is a mount point, is XFS or ext4); then
each is tuned in turn. If one fails, those already changed by this command are put back as they
were and stderr says so: the command changes all or nothing. Tuning a filesystem that is
already tuned in that mode changes nothing; in another mode, switches it.

--nice and --cpus need --mode unbound: after tuning, diowqctl writes them to
/sys/devices/virtual/workqueue/<queue>/nice and cpumask. An unbound queue starts at nice -20 on
all CPUs.

--mode cgroup needs --cgroup DIR, a cgroup v2 directory (a pod's): the completions then run in a
thread of the module in a leaf cgroup DIR/diowq-<id> it creates, so their CPU is charged to DIR
(its cpu.weight and cpu.max). --cgroup-weight is the leaf's cpu.weight next to DIR's other
children, default 100: a heavier leaf shrinks the pod's share on its submitters' CPUs (0.44x of
highpri's IOPS at 10000, 0.94x at 100 in the isolation bench). One leaf per filesystem; the
children of DIR need the cpu controller (DIR/cgroup.subtree_control lists cpu). Tuning again
below the same DIR changes only the weight. untune and a switch to another mode or DIR remove the
leaf, and diowqctl returns only once it is gone, so that DIR can then be removed; unmounting the
filesystem removes it too. Once DIR had tasks and has none left (its pod is being deleted), the
module switches the filesystem to mode highpri and removes the leaf itself (`diowqctl monitor`
shows cgroup_fallback).

Examples:
  diowqctl tune /srv/data                              default mode
  diowqctl tune /srv/data /srv/logs --mode highpri     both, or neither
  diowqctl tune /srv/logs --mode unbound --cpus 0-1    completions on CPUs 0 and 1 only
  diowqctl tune /srv/logs --mode unbound --nice -5
  diowqctl tune /srv/data --mode cgroup --cgroup /sys/fs/cgroup/kubepods.slice/pod1
                                                       charged to pod1, at weight 100 in it
  diowqctl tune /srv/data --mode cgroup --cgroup /sys/fs/cgroup/pod1 --cgroup-weight 500)");
    sub->callback([&selected, raw, mode, nice, cpus, cgroup, weight] {
        TuneOptions options;
        options.paths = raw->paths;
        if (mode->count() > 0) {
            options.mode = parse_checked_mode(raw->mode);
        }
        const bool unbound = options.mode == Mode::unbound;
        if (nice->count() > 0) {
            if (!unbound) {
                throw CLI::ValidationError("--nice", "only applies to --mode unbound");
            }
            options.nice = raw->nice;
        }
        if (cpus->count() > 0) {
            if (!unbound) {
                throw CLI::ValidationError("--cpus", "only applies to --mode unbound");
            }
            options.cpus = sys::parse_cpulist(raw->cpus);
        }
        const bool in_cgroup = options.mode == Mode::cgroup;
        if (cgroup->count() > 0) {
            if (!in_cgroup) {
                throw CLI::ValidationError("--cgroup", "only applies to --mode cgroup");
            }
            if (raw->cgroup.empty()) {
                throw CLI::ValidationError("--cgroup", "names no directory");
            }
            options.cgroup = raw->cgroup;
        } else if (in_cgroup) {
            throw CLI::ValidationError("--mode cgroup",
                                       "needs --cgroup DIR, the cgroup v2 directory to charge");
        }
        if (weight->count() > 0) {
            if (!in_cgroup) {
                throw CLI::ValidationError("--cgroup-weight", "only applies to --mode cgroup");
            }
            options.cgroup_weight = raw->cgroup_weight;
        }
        selected = options;
    });
}

} // namespace diowq::cli
