// SPDX-License-Identifier: GPL-2.0
#include "commands/client_backend.hpp"
#include "commands/commands.hpp"
#include "commands/targets.hpp"
#include "system/cgroup_dir.hpp"
#include "system/cpulist.hpp"

namespace diowq::commands {

int run_tune(const cli::TuneOptions& options, const OutputSink& sink) {
    // Everything that can be checked without changing anything, before anything changes.
    TuneRequest request{options.mode, options.nice, std::nullopt, std::nullopt};
    if (options.cpus) {
        sys::check_cpus_exist(*options.cpus, sys::possible_cpus());
        request.cpumask = sys::cpumask_hex(*options.cpus);
    }
    // Opened once, here: the module makes each leaf below exactly this directory.
    sys::UniqueFd cgroup_dir;
    if (options.cgroup) {
        cgroup_dir = sys::open_cgroup_dir(*options.cgroup);
        request.cgroup = CgroupRequest{cgroup_dir.get(), options.cgroup_weight};
    }
    const auto roots = open_targets(options.paths);
    auto client = sink.connect();

    ClientBackend backend(client);
    tune_all(backend, targets_of(roots), request);
    return exit_ok;
}

} // namespace diowq::commands
