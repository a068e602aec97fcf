// SPDX-License-Identifier: GPL-2.0
#include <chrono>
#include <iostream>
#include <optional>

#include <unistd.h>

#include "commands/commands.hpp"
#include "commands/latency_session.hpp"
#include "errors.hpp"
#include "output/latency_render.hpp"
#include "system/stop_signals.hpp"
#include "system/terminal.hpp"

namespace diowq::commands {

namespace {

constexpr const char* clear_screen = "\x1b[H\x1b[2J";

render::TopFrame frame_of(const latency::Snapshot& earlier, const latency::Snapshot& later,
                          const std::vector<SuperblockStatus>& tuned, std::string watching) {
    render::TopFrame frame;
    frame.seconds = latency::seconds_between(earlier, later);
    frame.watching = std::move(watching);
    for (const auto& interval : latency::difference(earlier, later)) {
        if (!interval.online && interval.completions == 0) {
            continue;
        }
        frame.cpus.push_back({latency::summarize(interval, frame.seconds), interval.online,
                              queue_of(interval, tuned), interval.worker_pid, interval.worker_nice,
                              interval.restarted});
    }
    return frame;
}

} // namespace

int run_top(const cli::TopOptions& options, const OutputSink& sink) {
    LatencySource source;
    source.report_gaps(sink.err);
    sys::StopSignals stop;
    const bool redraw =
        !sink.json() && &sink.out == &std::cout && sys::redrawable_terminal(STDOUT_FILENO);
    const auto interval = std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(options.interval_seconds * 1000));
    const std::string watching = source.attached_here() ? "all (while top runs)" : "all";

    latency::Snapshot earlier = source.read(std::nullopt);
    for (unsigned shown = 0; !options.iterations || shown < *options.iterations; ++shown) {
        if (!stop.sleep_for(interval)) {
            break;
        }
        latency::Snapshot later = source.read(std::nullopt);
        const auto frame = frame_of(earlier, later, tuned_superblocks(sink), watching);
        if (sink.json()) {
            sink.print_json(render::top_frame_json(frame));
        } else if (redraw) {
            sink.out << clear_screen << render::top_frame_text(frame);
        } else {
            sink.out << (shown > 0 ? "\n" : "") << render::top_frame_text(frame);
        }
        sink.out.flush();
        earlier = std::move(later);
    }
    return exit_ok;
}

} // namespace diowq::commands
