// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace diowq::cli {

namespace {

struct RawUntune {
    std::vector<std::string> paths;
    bool all = false;
};

} // namespace

void add_untune_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand("untune", "Give filesystems their kernel completion queue back");
    auto raw = std::make_shared<RawUntune>();
    auto* paths =
        sub->add_option("PATH", raw->paths, "Mount points of tuned filesystems")->type_name("");
    auto* all = sub->add_flag("-a,--all", raw->all, "Untune every tuned filesystem");
    all->excludes(paths);
    sub->footer(R"(Every PATH is checked first and must be tuned; if untuning one fails, those
already untuned by this command are tuned again as they were (auto-tuned ones come back as
manual) and stderr says so. An untuned filesystem is left alone by auto-tuning until it is
unmounted.

Examples:
  diowqctl untune /srv/data
  diowqctl untune --all)");
    sub->callback([&selected, raw] {
        if (raw->paths.empty() && !raw->all) {
            throw CLI::ValidationError("untune", "name the mount points to untune, or --all");
        }
        selected = UntuneOptions{raw->paths, raw->all};
    });
}

} // namespace diowq::cli
