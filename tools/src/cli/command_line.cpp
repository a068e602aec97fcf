// SPDX-License-Identifier: GPL-2.0
#include "cli/command_line.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/subcommands.hpp"
#include "errors.hpp"

namespace diowq::cli {

namespace {

constexpr const char* description =
    "diowqctl controls diowq, which gives chosen XFS and ext4 filesystems a dedicated direct-I/O\n"
    "completion workqueue (highpri: per-CPU at nice -20; unbound: nice and CPUs tunable), so\n"
    "that a busy, high-weight cgroup cannot starve their write completions.";

constexpr const char* footer = R"(Examples:
  diowqctl status                         global settings and every tuned filesystem
  diowqctl tune /srv/data                 tune in the default mode
  diowqctl tune /srv/logs --mode unbound --nice -10 --cpus 0-1
  diowqctl untune --all                   give every filesystem its kernel queue back
  diowqctl auto --fstypes xfs,ext4        tune every XFS and ext4 mount, now and later
  diowqctl -j status | jq '.superblocks[].id'
  diowqctl monitor                        one line per tune, untune, mode change, unmount
  diowqctl bench /mnt/xfs --matrix        the starvation and its cure, measured (see bench --help)
  diowqctl apply --watch                  make /etc/diowq.conf true, and keep it so (see apply --help)
  diowqctl diagnose                       are dio completions starved? 5 s, then the verdict and why
  diowqctl top                            how long they wait to run, per CPU, live
  diowqctl watch --all                    keep measuring that (a BPF program; no module needed)

Run `diowqctl COMMAND --help` for the options and examples of a command.

Exit codes:
  0  success
  1  the operation failed: module not loaded, not root, bad path, refused by the kernel;
     stderr says why, with the kernel's own message when it gave one. Nothing was changed
     unless stderr says so.
  2  usage error: unknown command or option, missing or malformed argument.
  3  diagnose: dio completions are starved (see diagnose --help).

Changing anything needs root: CAP_NET_ADMIN (checked by the netlink core) and CAP_SYS_ADMIN
(checked by the module). Reading (status, auto without options, monitor, version) does not;
measuring dispatch latency (diagnose, top, watch) needs root (CAP_BPF and CAP_PERFMON) and a
kernel with BTF, not the module.)";

// Points at the help of the subcommand being parsed, when there is one.
std::string failure_message(const CLI::App* app, const CLI::Error& e) {
    std::string command = "diowqctl";
    if (app != nullptr && !app->get_subcommands().empty()) {
        command += " " + app->get_subcommands().front()->get_name();
    }
    return fmt::format("diowqctl: {}\nRun `{} --help` for more information.\n", e.what(), command);
}

} // namespace

ParseResult parse_command_line(const std::vector<std::string>& args, std::ostream& out,
                               std::ostream& err) {
    CLI::App app(description, "diowqctl");
    Invocation invocation;

    app.failure_message(failure_message);
    app.footer(footer);
    app.set_version_flag("-V,--version", DIOWQ_VERSION, "Print the version of diowqctl and exit");
    app.get_formatter()->column_width(26);
    // Global options also work after the subcommand: `diowqctl status -j`.
    app.fallthrough();
    app.add_flag("-j,--json", invocation.global.json,
                 "Print JSON: one object per line, stable keys, no prose");
    app.add_flag("-p,--pretty", invocation.global.pretty, "Print indented JSON (implies --json)");
    app.require_subcommand(1);

    add_status_command(app, invocation.command);
    add_tune_command(app, invocation.command);
    add_untune_command(app, invocation.command);
    add_auto_command(app, invocation.command);
    add_monitor_command(app, invocation.command);
    add_version_command(app, invocation.command);
    add_bench_command(app, invocation.command);
    add_apply_command(app, invocation.command);
    add_watch_command(app, invocation.command);
    add_unwatch_command(app, invocation.command);
    add_top_command(app, invocation.command);
    add_diagnose_command(app, invocation.command);

    if (args.empty()) {
        err << app.help() << "\ndiowqctl: a command is required\n";
        return {std::nullopt, exit_usage};
    }

    // CLI11 would call an unknown command "not expected"; say what it is.
    const auto first_word = std::find_if(args.begin(), args.end(), [](const std::string& arg) {
        return arg.empty() || arg.front() != '-';
    });
    // (Global options take no values, so the first word is the command.)
    if (first_word != args.end() &&
        app.get_subcommands([&](CLI::App* sub) { return sub->check_name(*first_word); }).empty()) {
        err << fmt::format(
            "diowqctl: unknown command '{}' (commands: status, tune, untune, auto, "
            "monitor, version, bench, apply, watch, unwatch, top, diagnose)\nRun `diowqctl "
            "--help` for more information.\n",
            *first_word);
        return {std::nullopt, exit_usage};
    }

    // CLI11 consumes a vector of arguments from its back.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e, out, err);
        return {std::nullopt, code == 0 ? exit_ok : exit_usage};
    }
    invocation.global.json = invocation.global.json || invocation.global.pretty;
    return {std::move(invocation), exit_ok};
}

} // namespace diowq::cli
