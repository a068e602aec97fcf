// SPDX-License-Identifier: GPL-2.0
#include <cerrno>

#include <fmt/format.h>

#include "commands/commands.hpp"
#include "commands/run.hpp"
#include "commands/targets.hpp"
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
    std::vector<const sys::MountRoot*> removed;
    for (const auto& root : roots) {
        try {
            client.unwatch(root.fd.get());
            removed.push_back(&root);
        } catch (const std::exception& e) {
            std::string message = fmt::format("{}: {}", root.path, explain(e));
            for (const auto* done : removed) {
                try {
                    client.watch(done->fd.get());
                    message += fmt::format("\n{}: watched again (rolled back)", done->path);
                } catch (const std::exception& undo) {
                    message += fmt::format("\n{}: left unwatched, the rollback failed: {}",
                                           done->path, explain(undo));
                }
            }
            if (removed.empty()) {
                message += "\nnothing was changed";
            }
            throw Failure(message);
        }
    }
    return exit_ok;
}

} // namespace diowq::commands
