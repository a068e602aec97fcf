// SPDX-License-Identifier: GPL-2.0
#include <cerrno>

#include <fmt/format.h>

#include "commands/commands.hpp"
#include "commands/run.hpp"
#include "commands/targets.hpp"
#include "commands/watch_change.hpp"
#include "errors.hpp"
#include "netlink/extack.hpp"

namespace diowq::commands {

int run_unwatch(const cli::UnwatchOptions& options, const OutputSink& sink) {
    if (options.all) {
        // Every watch: the module's ALL ends only the watch of all filesystems, so end each
        // single one too. One that ended meanwhile (an untune) is no failure.
        auto client = sink.connect();
        const WatchState state = client.get_watch();
        if (!state.all && state.watched.empty()) {
            throw Failure("nothing is watched");
        }
        for (const auto& dev : state.watched) {
            try {
                client.unwatch_device(dev);
            } catch (const nl::KernelError& e) {
                if (e.error() != ENOENT) {
                    throw;
                }
            }
        }
        if (state.all) {
            client.unwatch_all();
        }
        return exit_ok;
    }
    const auto roots = open_targets(options.paths);
    auto client = sink.connect();
    const WatchState state = client.get_watch();
    std::string problems;
    for (const auto& root : roots) {
        if (!state.watches({root.dev_major, root.dev_minor})) {
            problems += fmt::format(
                "{}: not watched{}\n", root.path,
                state.all ? " on its own (every filesystem is: diowqctl unwatch --all)" : "");
        }
    }
    if (!problems.empty()) {
        throw Failure(problems + "nothing was changed");
    }
    std::vector<const sys::MountRoot*> watched;
    for (const auto& root : roots) {
        watched.push_back(&root);
    }
    change_watches(watched,
                   {[&client](int fd) { client.unwatch(fd); },
                    [&client](int fd) { client.watch(fd); }, "watched again", "left unwatched"});
    return exit_ok;
}

} // namespace diowq::commands
