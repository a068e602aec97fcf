// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace diowq::cli {

void add_top_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand(
        "top", "Show per CPU how long dio write completions wait to run, refreshed live");
    auto options = std::make_shared<TopOptions>();
    sub->add_option("-i,--interval", options->interval_seconds,
                    "Seconds between refreshes (default 1; 0.1 to 3600)")
        ->type_name("SECONDS")
        ->check(CLI::Validator(
            [](const std::string& text) -> std::string {
                double seconds = 0;
                if (!CLI::detail::lexical_cast(text, seconds) || !(seconds >= 0.1) ||
                    seconds > 3600) {
                    return "'" + text + "' is not a number of seconds from 0.1 to 3600";
                }
                return {};
            },
            ""));
    auto iterations = std::make_shared<unsigned>(0);
    auto* iterations_option =
        sub->add_option("-n,--iterations", *iterations, "Stop after N refreshes (default: Ctrl-C)")
            ->type_name("N")
            ->check(CLI::Range(1u, 1000000u).description(""));
    sub->add_flag("--watch-all", options->watch_all,
                  "Watch every filesystem while top runs, then remove that watch (root)");
    sub->footer(
        R"(What is measured: the dispatch delay of direct-I/O write completions, from the moment a
completion is queued on a workqueue (tracepoint workqueue_queue_work) to the moment a worker
starts running it (workqueue_execute_start), per CPU that runs it. On an idle CPU that takes
microseconds; behind a busy process of a high-weight cgroup, a nice-0 kworker waits
milliseconds, and so does every O_DIRECT write of that CPU.

Columns, per interval: COMPL/S completions per second; P50 and P99 of the delay, estimated
from the module's log2 buckets (each estimate is within a factor of 2 of the true value); MAX
the largest delay (exact as root, which resets the module's maximum at each read; otherwise an
upper bound); QUEUE the workqueue running them, from its worker's name: dio/<dev> is the
kernel's, diowq-<dev> diowq's; NICE the nice of the worker that ran the last one.

The module only measures what is watched, and watching registers tracepoint probes (see
`diowqctl watch --help`). Without a watch top says so and exits 1, unless --watch-all: that
watches every filesystem while top runs (root), and afterwards removes that watch only, also
after Ctrl-C.

On a terminal the table is redrawn in place; otherwise each refresh is printed once, separated
by a blank line. With -j, one JSON object per refresh and line: {"seconds", "watching",
"cpus": [{"cpu", "online", "completions", "per_second", "p50_ns", "p99_ns", "max_ns", "queue",
"worker_pid", "worker_nice"}]}.

Exit codes: 0 after --iterations or Ctrl-C; 1 nothing is watched, the module is not loaded, or
an error.

Examples:
  diowqctl top                              after `diowqctl watch /srv/data`
  sudo diowqctl top --watch-all             watch everything while it runs
  diowqctl top --interval 5 --iterations 12 a minute, one frame every 5 s
  diowqctl -j top -n 1 | jq '.cpus[] | select(.p99_ns > 1000000)')");
    sub->callback([&selected, options, iterations, iterations_option] {
        TopOptions parsed = *options;
        if (iterations_option->count() > 0) {
            parsed.iterations = *iterations;
        }
        selected = parsed;
    });
}

} // namespace diowq::cli
