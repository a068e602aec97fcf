// SPDX-License-Identifier: GPL-2.0
// The subcommands' actions. Each returns an exit code or throws (see run.hpp for how exceptions
// become messages and exit codes).
#pragma once

#include "cli/invocation.hpp"
#include "commands/output_sink.hpp"

namespace diowq::commands {

int run_status(const cli::StatusOptions& options, const OutputSink& sink);
int run_tune(const cli::TuneOptions& options, const OutputSink& sink);
int run_untune(const cli::UntuneOptions& options, const OutputSink& sink);
int run_auto(const cli::AutoOptions& options, const OutputSink& sink);
int run_monitor(const cli::MonitorOptions& options, const OutputSink& sink);
int run_version(const cli::VersionOptions& options, const OutputSink& sink);
int run_bench(const bench::BenchOptions& options, const OutputSink& sink);
int run_apply(const cli::ApplyOptions& options, const OutputSink& sink);
int run_watch(const cli::WatchOptions& options, const OutputSink& sink);
int run_unwatch(const cli::UnwatchOptions& options, const OutputSink& sink);
int run_top(const cli::TopOptions& options, const OutputSink& sink);
// exit_starved when dio completions are starved.
int run_diagnose(const cli::DiagnoseOptions& options, const OutputSink& sink);

} // namespace diowq::commands
