// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"
#include "latency/format.hpp"

namespace diowq::cli {

namespace {

struct RawDiagnose {
    std::string path;
    unsigned seconds = 5;
    std::string threshold = "1ms";
};

} // namespace

void add_diagnose_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand(
        "diagnose", "Sample dispatch latency for a while, then say whether dio completions starve "
                    "and why");
    auto raw = std::make_shared<RawDiagnose>();
    auto* path = sub->add_option("PATH", raw->path,
                                 "A mount point: report its filesystem (default: every filesystem)")
                     ->type_name("");
    sub->add_option("-s,--seconds", raw->seconds, "How long to sample (default 5; 1 to 3600)")
        ->type_name("N")
        ->check(CLI::Range(1u, 3600u).description(""));
    sub->add_option("-t,--threshold", raw->threshold,
                    "p99 delay above which a CPU is starved (default 1ms)")
        ->type_name("DURATION");
    sub->footer(
        R"help(Measures with diowqctl's BPF program (see `diowqctl watch --help`; no module needed,
a kernel with BTF and root are): the one `diowqctl watch --all` left attached, or attaches it
for the sampling and detaches it after (also after Ctrl-C or an error). Samples for --seconds
(progress on stderr) and prints a table of the CPUs that ran completions, a table of how each
filesystem's dio write completions ran (QUEUED, ALL COMPLETIONS, QUEUED SHARE: 7.x completes
pure overwrites inline in the bio's end_io, and any kernel completes a write in the submitting
task when the I/O ended before the submission returned; what no queue ran cannot starve), and,
as its last line, the verdict:

  starved: dio completions on CPU 1 wait p99 2.1 ms (max 9.8 ms) behind pid 812 (fio, 97% of
    the CPU) in /kubepods with cpu.weight 1000: tune this filesystem: diowqctl tune /mnt/data
  ok: dio completions wait p99 at most 45 us (CPU 0, max 310 us) in 5 s, under the 1.0 ms
    threshold
  not-affected: 12000 direct-I/O write completions in 5 s ran without a queue: this kernel
    does not queue this write pattern, so it cannot starve it
  idle: no direct-I/O write completions in 5 s

What is measured: per CPU, how long direct-I/O write completions wait between being queued and
starting to run (see `diowqctl top --help`); the counts are of PATH's filesystem, or all. A CPU
is starved when it ran completions and their p99, estimated from log2 buckets (within a factor
of 2), exceeds --threshold. The default, 1ms, is far above the microseconds a CPU with room
takes, and below the scheduler slices a nice-0 kworker waits behind a busy high-weight cgroup.

For each starved CPU, the process that ran most on it during the window is named (from every
thread's /proc/PID/task/TID/schedstat run time and stat CPU, sampled each second; completion
workers and diowqctl itself do not count), with its cgroup v2 group and the cpu.weight it
competes with: completion workers run in the root cgroup, where each top-level group competes
with its cpu.weight (a nice-0 task counts as 100), so the weight shown is that of the process's
top-level group ("in /kubepods/pod1 (under /kubepods, cpu.weight 1000)"). The suggestion names
PATH, or where the filesystems the starved CPUs last completed for are mounted; when the
completions already run on a diowq queue it points at its settings instead.

With -j, one JSON object: {"verdict": "starved"|"ok"|"idle"|"not-affected", "seconds", "cpus": [{"cpu",
"completions", "per_second", "p50_ns", "p99_ns", "max_ns", "hist": [32 counts: bucket 0 is
0 ns, bucket b is 2^(b-1) to 2^b ns, 31 is 2^30 ns and more], "queue", "worker_pid",
"worker_nice", "contender": {"pid", "comm", "cgroup", "cpu_weight"} or null}], "filesystems":
[{"dev", "queued", "completed", "queued_share"}], "message"}; "completed" and "queued_share" are
null where the kernel does not let every completion be counted (no fentry).
"contender" is set for starved CPUs; "cpu_weight" is the top-level group's, null in the root.

Exit codes: 0 ok, idle or not-affected; 3 starved; 1 failed (no BTF, not root, bad PATH,
interrupted); 2 usage error.

Examples:
  sudo diowqctl diagnose                        every filesystem, 5 s
  sudo diowqctl diagnose /srv/data --seconds 30
  sudo diowqctl diagnose --threshold 500us
  sudo diowqctl -j diagnose | jq -r .verdict)help");
    sub->callback([&selected, raw, path] {
        DiagnoseOptions options;
        if (path->count() > 0) {
            options.path = raw->path;
        }
        options.seconds = raw->seconds;
        try {
            options.threshold_ns = latency::parse_ns(raw->threshold);
        } catch (const std::invalid_argument& e) {
            throw CLI::ValidationError("--threshold", e.what());
        }
        if (options.threshold_ns == 0) {
            throw CLI::ValidationError("--threshold", "must be longer than 0");
        }
        selected = options;
    });
}

} // namespace diowq::cli
