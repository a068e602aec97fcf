// SPDX-License-Identifier: GPL-2.0
#include <fmt/format.h>

#include "bpf/dispatch_probe.hpp"
#include "commands/commands.hpp"
#include "commands/run.hpp"
#include "errors.hpp"
#include "output/latency_render.hpp"
#include "system/mountinfo.hpp"

namespace diowq::commands {

namespace {

// The module's watch state, as the BPF program has it: one watch, of every filesystem.
WatchState state_of(const std::optional<bpf::DispatchProbe>& pinned) {
    WatchState state;
    if (!pinned) {
        return state;
    }
    state.probes = true;
    state.all = true;
    std::uint64_t completed = 0;
    for (const auto& c : pinned->read(false)) {
        state.probe_hits += c.queued;
        state.unmatched += c.unmatched;
        completed += c.completed;
    }
    if (pinned->coverage().all_completions) {
        state.completed = completed;
    }
    state.missed = pinned->missed();
    return state;
}

int show_watching(const OutputSink& sink) {
    const WatchState state = state_of(bpf::DispatchProbe::open_pinned());
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
    if (!options.all) {
        return show_watching(sink);
    }
    if (bpf::DispatchProbe::open_pinned()) {
        return exit_ok; // watched already: nothing to do, nothing to undo
    }
    bpf::DispatchProbe probe;
    probe.pin();
    return exit_ok;
}

int run_unwatch(const cli::UnwatchOptions& /*options*/, const OutputSink& /*sink*/) {
    if (!bpf::DispatchProbe::unpin()) {
        throw Failure("nothing is watched");
    }
    return exit_ok;
}

} // namespace diowq::commands
