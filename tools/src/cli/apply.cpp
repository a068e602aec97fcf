// SPDX-License-Identifier: GPL-2.0
#include <limits>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/subcommands.hpp"
#include "config/config_file.hpp"

namespace diowq::cli {

void add_apply_command(CLI::App& app, Command& selected) {
    auto* sub =
        app.add_subcommand("apply", "Make the settings of a config file (/etc/diowq.conf) true");
    auto options = std::make_shared<ApplyOptions>();
    options->config = config::default_path;
    sub->add_option("-c,--config", options->config,
                    fmt::format("The config file (default: {})", config::default_path))
        ->type_name("FILE");
    auto* dry_run = sub->add_flag("-n,--dry-run", options->dry_run,
                                  "Check everything and say what would change; change nothing");
    auto* watch = sub->add_flag("-w,--watch", options->watch,
                                "Then stay running: tune each listed mount point whenever a "
                                "filesystem is mounted there, until SIGTERM");
    auto pid = std::make_shared<int>(0);
    auto* namespace_of =
        sub->add_option("--mount-namespace-of", *pid,
                        "Use the mount namespace of process PID (1 from a container with hostPID)")
            ->type_name("PID")
            ->check(CLI::Range(1, std::numeric_limits<int>::max()).description(""));
    dry_run->excludes(watch);
    sub->footer(R"(The file has one statement per line; # starts a comment:

  mode unbound              default mode: of auto-tuning and of mounts without their own
  fstype xfs ext4           tune every filesystem of these types, now and when mounted
                            (the module's auto_fstypes; `fstype none` empties it)
  mount /srv/data           tune the filesystem mounted there, in the default mode
  mount /srv/logs highpri   ... in this mode

What the file does not mention is left as it is. The whole file is checked first: a syntax
error is reported as FILE:LINE: problem (exit 2), a listed mount that is not an XFS or ext4
mount point, or a type the module does not support, as FILE:LINE too (exit 1); nothing is
changed then. The mounts are tuned first, the settings set last; if one step fails, what this
command changed is put back: all or nothing.

With --watch, a listed mount point with nothing mounted on it yet is waited for, and every
later mount there is tuned (a failure then is reported and the watch goes on). Auto-tuned
types need no watching: the module finds new mounts itself.

Examples:
  diowqctl apply --dry-run                      what /etc/diowq.conf would change
  diowqctl apply --config ./diowq.conf
  diowqctl apply --watch                        what diowq.service runs)");
    sub->callback([&selected, options, pid, namespace_of] {
        ApplyOptions parsed = *options;
        if (namespace_of->count() > 0) {
            parsed.mount_namespace_of = *pid;
        }
        selected = parsed;
    });
}

} // namespace diowq::cli
