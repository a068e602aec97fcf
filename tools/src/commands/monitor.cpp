// SPDX-License-Identifier: GPL-2.0
#include "commands/commands.hpp"
#include "netlink/client.hpp"
#include "output/render.hpp"

namespace diowq::commands {

int run_monitor(const cli::MonitorOptions&, const OutputSink& sink) {
    auto client = sink.connect();
    client.monitor(
        [&sink](const Event& event) {
            if (sink.json()) {
                sink.print_json(render::event_json(event));
            } else {
                sink.print_text(render::event_text(event));
            }
            // Readers of a pipe (grep, jq) get each event as it happens.
            sink.out.flush();
        },
        [&sink](const std::string& problem) { sink.err << "diowqctl: " << problem << '\n'; });
    return exit_ok;
}

} // namespace diowq::commands
