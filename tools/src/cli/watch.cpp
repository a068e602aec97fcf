// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "bpf/dispatch_probe.hpp"
#include "cli/subcommands.hpp"

namespace diowq::cli {

namespace {

struct RawWatch {
    std::vector<std::string> paths;
    bool all = false;
};

// What watching is, for the help of watch and unwatch.
const std::string what_watching_is =
    std::string(
        R"(Watching attaches diowqctl's BPF program, which measures, per filesystem and CPU, how long
direct-I/O write completions wait between being queued (workqueue_queue_work) and starting to run
(workqueue_execute_start): the dispatch delay that a busy CPU makes long. It needs no module, only
a kernel with BTF (/sys/kernel/btf/vmlinux) and root (CAP_BPF and CAP_PERFMON); it never changes a
queue. Attaching patches kernel code, as any tracepoint does. The program always measures every
filesystem; `diowqctl top` and `diowqctl diagnose PATH` pick what to show. A watch stays attached
(pinned in )") +
    bpf::pin_directory + R"() until `diowqctl unwatch`; top and diagnose use it
when it is there, and attach the program for their own run when it is not.)";

// PATHs were how the module's watches named filesystems; the program measures them all.
void refuse_paths(const std::string& command, const std::vector<std::string>& paths) {
    if (!paths.empty()) {
        throw CLI::ValidationError(command, "takes no PATH: the BPF program measures every "
                                            "filesystem (diowqctl diagnose PATH shows one); use "
                                            "--all");
    }
}

} // namespace

void add_watch_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand(
        "watch", "Keep measuring the dispatch latency of dio completions, or show whether it is");
    auto raw = std::make_shared<RawWatch>();
    sub->add_option("PATH", raw->paths, "(refused: every filesystem is measured)")->type_name("");
    sub->add_flag("-a,--all", raw->all, "Attach the program and leave it attached");
    sub->footer(what_watching_is + R"(

Without arguments, shows whether the program is attached and how many completions it measured.
With --all, attaches it (nothing to do when it is). Needs root.

Exit codes: 0 done; 1 failed (no BTF, not root, refused by the kernel); 2 usage.

Examples:
  sudo diowqctl watch --all       keep measuring every filesystem
  diowqctl watch                  whether it is measuring
  diowqctl -j watch               {"probes": true, "all": true, "watched": [], ...})");
    sub->callback([&selected, raw] {
        refuse_paths("watch", raw->paths);
        selected = WatchOptions{raw->all};
    });
}

void add_unwatch_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand("unwatch", "Stop measuring dispatch latency");
    auto raw = std::make_shared<RawWatch>();
    sub->add_option("PATH", raw->paths, "(refused: every filesystem is measured)")->type_name("");
    sub->add_flag("-a,--all", raw->all, "Detach the program `diowqctl watch --all` attached");
    sub->footer(what_watching_is + R"(

Detaches the program; its counters are gone with it. Needs root.

Exit codes: 0 done; 1 failed (nothing is watched, not root); 2 usage.

Examples:
  sudo diowqctl unwatch --all)");
    sub->callback([&selected, raw] {
        refuse_paths("unwatch", raw->paths);
        if (!raw->all) {
            throw CLI::ValidationError("unwatch", "say --all: it detaches the program");
        }
        selected = UnwatchOptions{};
    });
}

} // namespace diowq::cli
