// SPDX-License-Identifier: GPL-2.0
#include "commands/client_backend.hpp"
#include "commands/commands.hpp"
#include "commands/targets.hpp"

namespace diowq::commands {

int run_untune(const cli::UntuneOptions& options, const OutputSink& sink) {
    if (options.all) {
        auto client = sink.connect();
        // The leaves of mode cgroup go shortly after the answer: wait for them, as for one.
        std::vector<std::string> leaves;
        for (const auto& sb : client.list_superblocks()) {
            if (sb.cgroup && !sb.cgroup->empty()) {
                leaves.push_back(*sb.cgroup);
            }
        }
        client.untune_all();
        for (const auto& leaf : leaves) {
            wait_leaf_gone(leaf);
        }
        return exit_ok;
    }
    const auto roots = open_targets(options.paths);
    auto client = sink.connect();
    ClientBackend backend(client);
    untune_all(backend, targets_of(roots));
    return exit_ok;
}

} // namespace diowq::commands
