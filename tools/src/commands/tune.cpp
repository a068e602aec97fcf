// SPDX-License-Identifier: GPL-2.0
#include "commands/client_backend.hpp"
#include "commands/commands.hpp"
#include "commands/targets.hpp"
#include "system/cpulist.hpp"

namespace diowq::commands {

int run_tune(const cli::TuneOptions& options, const OutputSink& sink) {
    // Everything that can be checked without changing anything, before anything changes.
    TuneRequest request{options.mode, options.nice, std::nullopt};
    if (options.cpus) {
        sys::check_cpus_exist(*options.cpus, sys::possible_cpus());
        request.cpumask = sys::cpumask_hex(*options.cpus);
    }
    const auto roots = open_targets(options.paths);
    auto client = sink.connect();

    ClientBackend backend(client);
    tune_all(backend, targets_of(roots), request);
    return exit_ok;
}

} // namespace diowq::commands
