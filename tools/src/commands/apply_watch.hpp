// SPDX-License-Identifier: GPL-2.0
// `diowqctl apply --watch`: after the first apply, tune each listed mount point again whenever a
// filesystem is mounted there, until SIGTERM (or SIGINT, SIGHUP). Only new mounts are tuned: a
// filesystem someone untuned by hand stays untuned until it is mounted again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "commands/output_sink.hpp"
#include "config/config_file.hpp"
#include "config/plan.hpp"
#include "system/mount_watch.hpp"
#include "system/mountinfo.hpp"

namespace diowq::commands {

struct WatchedMount {
    config::PlannedMount planned;
    std::uint64_t mount_id = 0; // the mount last seen at the path; 0: nothing mounted there
};

// Resolves symbolic links in a path that exists; returns it unchanged otherwise.
using Canonicalize = std::function<std::string(const std::string&)>;

// The id of the mount on top of `path` in `mounts` (the last one listed there), or 0.
std::uint64_t mount_id_at(const std::string& path, const std::vector<sys::MountInfoEntry>& mounts,
                          const Canonicalize& canonical);

// Updates each watched mount's id from `mounts` and returns the indexes of those with a new
// mount on top (not those unmounted).
std::vector<std::size_t> newly_mounted(std::vector<WatchedMount>& watched,
                                       const std::vector<sys::MountInfoEntry>& mounts,
                                       const Canonicalize& canonical);

std::string realpath_or_same(const std::string& path);

// Runs until a stop signal: returns exit_ok. A mount that cannot be tuned is reported on stderr
// and the watch goes on.
int watch_mounts(std::vector<WatchedMount> watched, const config::ConfigFile& file,
                 sys::MountWatch& watch, const OutputSink& sink);

} // namespace diowq::commands
