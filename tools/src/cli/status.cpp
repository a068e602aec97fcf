// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace diowq::cli {

void add_status_command(CLI::App& app, Command& selected) {
    auto* sub =
        app.add_subcommand("status", "Show the settings and the tuned filesystems, or one mount");
    auto path = std::make_shared<std::string>();
    auto* path_option =
        sub->add_option("PATH", *path, "A mount point: show only its filesystem")->type_name("");
    sub->footer(R"(Examples:
  diowqctl status                  settings, then one row per tuned filesystem
  diowqctl status /srv/data        is the filesystem on /srv/data tuned, and how
  diowqctl -j status               {"config": {...}, "superblocks": [...]}
  diowqctl -j status /srv/data     {"path": "/srv/data", "tuned": true, "superblock": {...}}

TUNED FOR is how long ago the filesystem was tuned (JSON: tuned_ms); SWAPS counts the queue
swaps since then (tune and mode changes); ORIGIN is manual, or auto for auto-tuning.)");
    sub->callback([&selected, path, path_option] {
        StatusOptions options;
        if (path_option->count() > 0) {
            options.path = *path;
        }
        selected = options;
    });
}

} // namespace diowq::cli
