// SPDX-License-Identifier: GPL-2.0
// Tuning and untuning several filesystems as one change: either all of them change, or those this
// command already changed are put back and the failure says exactly what happened. The steps go
// through TuningBackend, so the tests can drive every failure with a fake.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "system/workqueue_sysfs.hpp"

namespace diowq::commands {

class TuningBackend {
public:
    virtual ~TuningBackend() = default;
    virtual std::optional<SuperblockStatus> get_superblock(int fd) = 0;
    virtual void tune(int fd, std::optional<Mode> mode) = 0;
    // Mode cgroup, below the directory `cgroup.dir_fd` is open on.
    virtual void tune_cgroup(int fd, const CgroupRequest& cgroup) = 0;
    virtual void untune(int fd) = 0;
    // Mode cgroup's leaf `leaf` was retired (untune, switch): wait until it is gone, so that the
    // pod's cgroup can be removed when the command returns; throws Failure when it stays.
    virtual void wait_cgroup_gone(const std::string& leaf) = 0;
    virtual sys::WorkqueueTunables read_tunables(const std::string& queue) = 0;
    virtual void write_nice(const std::string& queue, int nice) = 0;
    virtual void write_cpumask(const std::string& queue, const std::string& mask) = 0;
};

// A checked mount root: its path for messages, its fd for requests.
struct Target {
    std::string path;
    int fd = -1;
};

struct TuneRequest {
    std::optional<Mode> mode;            // none: the module's default
    std::optional<int> nice;             // written after tuning (unbound queues only)
    std::optional<std::string> cpumask;  // hex, see system/cpulist.hpp
    std::optional<CgroupRequest> cgroup; // set exactly when mode is Mode::cgroup
};

// Tunes the filesystem of `fd` as `before` was: its mode and, in mode cgroup, below the directory
// its leaf was in, with its weight (the directory is opened again by path). For rollbacks.
void tune_as_before(TuningBackend& backend, int fd, const SuperblockStatus& before);

// Has the filesystem's completion setup changed between `before` and `after` (mode, queue, leaf,
// weight)?
bool setup_changed(const std::optional<SuperblockStatus>& before,
                   const std::optional<SuperblockStatus>& after);

// Mode cgroup's leaf of `before` that `after` does not have any more, if any.
std::optional<std::string> leaf_retired(const std::optional<SuperblockStatus>& before,
                                        const std::optional<SuperblockStatus>& after);

// The nice and cpumask of the unbound queue `sb` names, read before a change so that a rollback
// can put them back; nullopt when it is no unbound queue or they cannot be read (the rollback then
// says it could not restore them).
std::optional<sys::WorkqueueTunables> tunables_before(TuningBackend& backend,
                                                      const std::optional<SuperblockStatus>& sb);

// Each throws diowq::Failure whose lines tell what failed, what was put back, and what (if a
// rollback failed too) was left changed.
void tune_all(TuningBackend& backend, const std::vector<Target>& targets,
              const TuneRequest& request);
void untune_all(TuningBackend& backend, const std::vector<Target>& targets);

} // namespace diowq::commands
