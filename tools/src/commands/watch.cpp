// SPDX-License-Identifier: GPL-2.0
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "commands/run.hpp"
#include "commands/targets.hpp"
#include "errors.hpp"
#include "output/latency_render.hpp"
#include "system/mountinfo.hpp"

namespace diowq::commands {

namespace {

int show_watching(const OutputSink& sink) {
    auto client = sink.connect();
    const WatchState state = client.get_watch();
    const auto mounts = sys::read_mountinfo();
    if (sink.json()) {
        sink.print_json(render::watch_state_json(state, mounts));
    } else {
        sink.print_text(render::watch_state_text(state, mounts));
    }
    return exit_ok;
}

} // namespace

int run_watch(const cli::WatchOptions& options, const OutputSink& sink) {
    if (!options.all && options.paths.empty()) {
        return show_watching(sink);
    }
    if (options.all) {
        auto client = sink.connect();
        client.watch_all();
        return exit_ok;
    }
    const auto roots = open_targets(options.paths);
    auto client = sink.connect();
    const WatchState state = client.get_watch();
    std::vector<const sys::MountRoot*> added;
    for (const auto& root : roots) {
        if (state.watches({root.dev_major, root.dev_minor})) {
            continue; // already: nothing to do, nothing to undo
        }
        try {
            client.watch(root.fd.get());
            added.push_back(&root);
        } catch (const std::exception& e) {
            std::string message = fmt::format("{}: {}", root.path, explain(e));
            // All or nothing: the watches this command added go again.
            for (const auto* done : added) {
                try {
                    client.unwatch(done->fd.get());
                    message += fmt::format("\n{}: no longer watched (rolled back)", done->path);
                } catch (const std::exception& undo) {
                    message += fmt::format("\n{}: still watched, the rollback failed: {}",
                                           done->path, explain(undo));
                }
            }
            if (added.empty()) {
                message += "\nnothing was changed";
            }
            throw Failure(message);
        }
    }
    return exit_ok;
}

} // namespace diowq::commands
