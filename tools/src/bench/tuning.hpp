// SPDX-License-Identifier: GPL-2.0
// The filesystem under test as diowq sees it: tuned in the mode a configuration wants (or not at
// all), read back after each run, and left as it was found when the bench ends. Goes through the
// tool's own netlink client.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "model/model.hpp"
#include "netlink/client.hpp"
#include "system/mount_root.hpp"

namespace diowq::bench {

class FilesystemTuning {
public:
    using Warn = std::function<void(const std::string&)>;

    // Connects to the module (throws nl::ModuleNotLoaded) and remembers how the filesystem of
    // `root` is tuned now.
    FilesystemTuning(sys::MountRoot root, Warn warn);
    FilesystemTuning(const FilesystemTuning&) = delete;
    FilesystemTuning& operator=(const FilesystemTuning&) = delete;
    // Puts the filesystem back as it was found; failures go to `warn`.
    ~FilesystemTuning();

    // Where mode cgroup puts its leaf (an open cgroup v2 directory, kept open by the caller
    // while this lives), for set(Mode::cgroup).
    void set_cgroup(CgroupRequest request) { cgroup_ = request; }
    // nullopt: untuned. Does nothing when it is so already. Leaving mode cgroup waits (up to
    // 10 s) until the module has removed its leaf, so that the next run, or the removal of the
    // directory it was in, does not meet it.
    void set(std::optional<Mode> mode);
    // What the module says about the filesystem now (nullopt: not tuned).
    std::optional<SuperblockStatus> status();
    const std::optional<SuperblockStatus>& original() const { return original_; }
    std::string module_version() { return client_.get_config().module_version; }

private:
    sys::MountRoot root_;
    nl::DiowqClient client_;
    Warn warn_;
    std::optional<SuperblockStatus> original_;
    std::optional<CgroupRequest> cgroup_;
};

} // namespace diowq::bench
