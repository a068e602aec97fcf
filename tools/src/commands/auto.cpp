// SPDX-License-Identifier: GPL-2.0
#include <algorithm>

#include <fmt/format.h>

#include "commands/commands.hpp"
#include "errors.hpp"
#include "netlink/client.hpp"
#include "output/render.hpp"

namespace diowq::commands {

namespace {

// The module refuses unsupported types too; asking first names them all, and the list it
// supports, before anything is sent.
void check_supported(const std::vector<std::string>& fstypes, const Config& config) {
    std::vector<std::string> unsupported;
    for (const auto& type : fstypes) {
        if (std::find(config.supported_fstypes.begin(), config.supported_fstypes.end(), type) ==
            config.supported_fstypes.end()) {
            unsupported.push_back(type);
        }
    }
    if (!unsupported.empty()) {
        throw Failure(fmt::format("--fstypes: {} not supported by the module (supported: {})",
                                  join_list(unsupported, ", "),
                                  join_list(config.supported_fstypes, ", ")));
    }
}

} // namespace

int run_auto(const cli::AutoOptions& options, const OutputSink& sink) {
    auto client = sink.connect();
    if (!options.changes_something()) {
        const Config config = client.get_config();
        if (sink.json()) {
            sink.print_json(render::config_json(config));
        } else {
            sink.print_text(render::config_text(config));
        }
        return exit_ok;
    }
    if (options.fstypes && !options.fstypes->empty()) {
        check_supported(*options.fstypes, client.get_config());
    }
    client.set_config(ConfigChange{options.default_mode, options.fstypes});
    return exit_ok;
}

} // namespace diowq::commands
