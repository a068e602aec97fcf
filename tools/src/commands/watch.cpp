// SPDX-License-Identifier: GPL-2.0
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "commands/run.hpp"
#include "commands/targets.hpp"
#include "commands/watch_change.hpp"
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
    std::vector<const sys::MountRoot*> unwatched;
    for (const auto& root : roots) {
        if (!state.watches({root.dev_major, root.dev_minor})) {
            unwatched.push_back(&root); // the others: nothing to do, nothing to undo
        }
    }
    change_watches(unwatched, {[&client](int fd) { client.watch(fd); },
                               [&client](int fd) { client.unwatch(fd); }, "no longer watched",
                               "still watched"});
    return exit_ok;
}

} // namespace diowq::commands
