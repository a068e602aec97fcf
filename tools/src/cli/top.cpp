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
    // Kept so that scripts written for the module's watches still run: top always measures all.
    sub->add_flag("--watch-all")->description("Accepted and ignored: every filesystem is measured");
    sub->footer(
        R"(What is measured: the dispatch delay of direct-I/O write completions, from the moment a
completion is queued on a workqueue (tracepoint workqueue_queue_work) to the moment a worker
starts running it (workqueue_execute_start), per CPU that runs it. On an idle CPU that takes
microseconds; behind a busy process of a high-weight cgroup, a nice-0 kworker waits
milliseconds, and so does every O_DIRECT write of that CPU.

Columns, per interval: COMPL/S completions per second; P50 and P99 of the delay, estimated
from log2 buckets (each estimate is within a factor of 2 of the true value); MAX the largest
delay of the interval; QUEUE the workqueue running them: dio/<dev> is the kernel's, diowq-<dev>
diowq's; NICE the nice of the worker that ran the last one.

The measuring is diowqctl's BPF program (see `diowqctl watch --help`): no module needed, a
kernel with BTF and root are. top uses the program `diowqctl watch --all` left attached, or
attaches it while it runs and detaches it when it ends, also after Ctrl-C.

On a terminal the table is redrawn in place; otherwise each refresh is printed once, separated
by a blank line. With -j, one JSON object per refresh and line: {"seconds", "watching",
"cpus": [{"cpu", "online", "completions", "per_second", "p50_ns", "p99_ns", "max_ns", "queue",
"worker_pid", "worker_nice"}]}.

Exit codes: 0 after --iterations or Ctrl-C; 1 the program cannot be attached (no BTF, not
root), or an error.

Examples:
  sudo diowqctl top                         every CPU that runs dio completions
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
