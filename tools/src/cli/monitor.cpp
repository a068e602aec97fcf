// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace diowq::cli {

void add_monitor_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand("monitor",
                                   "Print events as they happen, one per line, until interrupted");
    sub->footer(R"(Events: tuned, auto_tuned, mode_changed, untuned, unmounted, cgroup_fallback,
each followed by the filesystem's id and fields ("tuned vdb fstype xfs source /dev/vdb dev 254:16
mode highpri ..."). cgroup_fallback: the cgroup of a filesystem in mode cgroup had tasks and two
checks a second apart found none (the pod is being deleted), so the module switched the
filesystem to mode highpri and removed its leaf cgroup; the fields say mode highpri. An event
this diowqctl does not know is shown as its number.
With -j, one JSON object per line: {"event": "tuned", "id": "vdb", ...}, the keys of a status
superblock without mountpoints.

Examples:
  diowqctl monitor
  diowqctl -j monitor | jq -c 'select(.event == "unmounted")')");
    sub->callback([&selected] { selected = MonitorOptions{}; });
}

} // namespace diowq::cli
