// SPDX-License-Identifier: GPL-2.0
#include "commands/apply_watch.hpp"

#include <climits>
#include <cstdlib>
#include <exception>

#include <string.h>

#include <fmt/format.h>

#include "commands/apply_transaction.hpp"
#include "commands/client_backend.hpp"
#include "commands/run.hpp"
#include "errors.hpp"
#include "system/mount_root.hpp"

namespace diowq::commands {

namespace {

// Tunes one newly mounted filesystem; the module may have been reloaded meanwhile, so each
// tune connects anew.
void tune_new_mount(const config::PlannedMount& mount, const config::ConfigFile& file,
                    const OutputSink& sink) {
    try {
        const auto root = sys::open_mount_root(mount.path, sys::read_mountinfo());
        auto client = sink.connect();
        ClientBackend backend(client);
        const MountStep step{{root.path, root.fd.get()}, mount.mode};
        const auto before = backend.get_superblock(step.target.fd);
        tune_all(backend, {step.target},
                 TuneRequest{mount.mode, std::nullopt, std::nullopt, std::nullopt});
        sink.out << (before && before->mode == mount.mode
                         ? fmt::format("mounted {}: already tuned, {}\n", mount.path,
                                       mode_name(mount.mode))
                         : fmt::format("mounted {}: tuned, {}\n", mount.path,
                                       mode_name(mount.mode)));
    } catch (const std::exception& e) {
        sink.err << fmt::format("diowqctl: {}{}\n", file.where(mount.line), explain(e));
    }
    sink.out.flush();
}

} // namespace

std::string realpath_or_same(const std::string& path) {
    char resolved[PATH_MAX];
    if (realpath(path.c_str(), resolved) == nullptr) {
        return path;
    }
    return resolved;
}

std::uint64_t mount_id_at(const std::string& path, const std::vector<sys::MountInfoEntry>& mounts,
                          const Canonicalize& canonical) {
    const std::string real = canonical(path);
    std::uint64_t id = 0;
    for (const auto& mount : mounts) {
        if (mount.mount_point == path || mount.mount_point == real) {
            id = mount.mount_id;
        }
    }
    return id;
}

std::vector<std::size_t> newly_mounted(std::vector<WatchedMount>& watched,
                                       const std::vector<sys::MountInfoEntry>& mounts,
                                       const Canonicalize& canonical) {
    std::vector<std::size_t> due;
    for (std::size_t i = 0; i < watched.size(); ++i) {
        const std::uint64_t id = mount_id_at(watched[i].planned.path, mounts, canonical);
        if (id != 0 && id != watched[i].mount_id) {
            due.push_back(i);
        }
        watched[i].mount_id = id;
    }
    return due;
}

int watch_mounts(std::vector<WatchedMount> watched, const config::ConfigFile& file,
                 sys::MountWatch& watch, const OutputSink& sink) {
    for (;;) {
        if (watch.wait() == sys::MountWatch::Wake::stop) {
            sink.out << fmt::format("stopping: {}\n", strsignal(watch.stop_signal()));
            return exit_ok;
        }
        for (const auto i : newly_mounted(watched, sys::read_mountinfo(), realpath_or_same)) {
            tune_new_mount(watched[i].planned, file, sink);
        }
    }
}

} // namespace diowq::commands
