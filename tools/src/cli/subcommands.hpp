// SPDX-License-Identifier: GPL-2.0
// One function per subcommand: each adds its CLI11 subcommand (options, help, examples) to the
// application and, once that subcommand is parsed, stores its options in `selected`.
#pragma once

#include "cli/invocation.hpp"

namespace CLI {
class App;
}

namespace diowq::cli {

void add_status_command(CLI::App& app, Command& selected);
void add_tune_command(CLI::App& app, Command& selected);
void add_untune_command(CLI::App& app, Command& selected);
void add_auto_command(CLI::App& app, Command& selected);
void add_monitor_command(CLI::App& app, Command& selected);
void add_version_command(CLI::App& app, Command& selected);
void add_bench_command(CLI::App& app, Command& selected);
void add_apply_command(CLI::App& app, Command& selected);
void add_watch_command(CLI::App& app, Command& selected);
void add_unwatch_command(CLI::App& app, Command& selected);
void add_top_command(CLI::App& app, Command& selected);
void add_diagnose_command(CLI::App& app, Command& selected);

} // namespace diowq::cli
