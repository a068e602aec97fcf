// SPDX-License-Identifier: GPL-2.0
#include <optional>

#include <fmt/format.h>

#include "commands/apply_transaction.hpp"
#include "commands/apply_watch.hpp"
#include "commands/client_backend.hpp"
#include "commands/commands.hpp"
#include "config/config_file.hpp"
#include "config/plan.hpp"
#include "errors.hpp"
#include "system/mount_namespace.hpp"
#include "system/mount_root.hpp"

namespace diowq::commands {

namespace {

class ClientSettings : public SettingsBackend {
public:
    explicit ClientSettings(nl::DiowqClient& client)
        : client_(client) {}
    void set_config(const ConfigChange& change) override { client_.set_config(change); }

private:
    nl::DiowqClient& client_;
};

// The listed mounts that are to be tuned now, opened and checked; every problem at once.
struct OpenedMounts {
    std::vector<sys::MountRoot> roots;
    std::vector<MountStep> steps;
};

OpenedMounts open_mounts(const config::ConfigFile& file,
                         const std::vector<config::PlannedMount>& mounts) {
    const auto mountinfo = sys::read_mountinfo();
    OpenedMounts opened;
    std::vector<const config::PlannedMount*> planned;
    std::string problems;
    for (const auto& mount : mounts) {
        try {
            auto root = sys::open_mount_root(mount.path, mountinfo);
            bool duplicate = false;
            for (std::size_t i = 0; i < opened.roots.size(); ++i) {
                const auto& other = opened.roots[i];
                if (other.dev_major != root.dev_major || other.dev_minor != root.dev_minor) {
                    continue;
                }
                duplicate = true;
                if (planned[i]->mode != mount.mode) {
                    problems += fmt::format(
                        "{}mount: {} is the filesystem of {} (line {}), in another mode\n",
                        file.where(mount.line), mount.path, other.path, planned[i]->line);
                }
            }
            if (!duplicate) {
                opened.roots.push_back(std::move(root));
                planned.push_back(&mount);
            }
        } catch (const Failure& e) {
            problems += file.where(mount.line) + e.what() + '\n';
        }
    }
    if (!problems.empty()) {
        throw Failure(problems + "nothing was changed");
    }
    for (std::size_t i = 0; i < opened.roots.size(); ++i) {
        opened.steps.push_back(
            {{opened.roots[i].path, opened.roots[i].fd.get()}, planned[i]->mode});
    }
    return opened;
}

void print(const OutputSink& sink, const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        sink.out << line << '\n';
    }
}

// Applies the plan to the listed mounts that are mounted now (all of them without --watch) and
// prints what it did. Returns the mounts to watch; closes every mount it opened, so that the
// watch never keeps a filesystem busy.
std::vector<WatchedMount> apply_now(const config::ConfigFile& file,
                                    const cli::ApplyOptions& options, const OutputSink& sink) {
    auto client = sink.connect();
    const auto plan = config::make_plan(file, client.get_config());

    // With --watch, a listed mount point with nothing mounted on it yet is waited for.
    std::vector<config::PlannedMount> now;
    std::vector<WatchedMount> watched;
    const auto mountinfo = sys::read_mountinfo();
    for (const auto& mount : plan.mounts) {
        const auto id = mount_id_at(mount.path, mountinfo, realpath_or_same);
        if (!options.watch || id != 0) {
            now.push_back(mount);
        }
        watched.push_back({mount, id});
    }
    const auto opened = open_mounts(file, now);

    ClientBackend tuning(client);
    ClientSettings settings(client);
    const auto done = apply_steps(tuning, settings, opened.steps, plan.change, options.dry_run);
    print(sink, config::describe_config(file, plan));
    print(sink, done);
    return watched;
}

} // namespace

int run_apply(const cli::ApplyOptions& options, const OutputSink& sink) {
    if (sink.json()) {
        throw UsageError("apply prints text only: -j and -p do not apply to it");
    }
    // The file is read where diowqctl runs (a container's ConfigMap); the mount points are
    // looked up where they are mounted.
    const auto file = config::read_config(options.config);
    if (options.mount_namespace_of) {
        sys::enter_mount_namespace(*options.mount_namespace_of);
    }
    // Before anything is read: a mount or a stop signal from now on is seen by the watch.
    std::optional<sys::MountWatch> watch;
    if (options.watch) {
        watch.emplace();
    }
    auto watched = apply_now(file, options, sink);
    if (options.dry_run) {
        sink.out << "dry run: nothing was changed\n";
        return exit_ok;
    }
    if (!watch) {
        return exit_ok;
    }
    for (const auto& w : watched) {
        if (w.mount_id == 0) {
            sink.out << fmt::format("{}: not mounted yet, waiting\n", w.planned.path);
        }
    }
    sink.out.flush();
    return watch_mounts(std::move(watched), file, *watch, sink);
}

} // namespace diowq::commands
