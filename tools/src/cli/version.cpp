// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace diowq::cli {

void add_version_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand(
        "version", "Show the versions of diowqctl, the module and its netlink family");
    sub->footer(R"(Fails (exit 1) when the module is not loaded or speaks another netlink family
version than diowqctl, after printing what it knows.

Examples:
  diowqctl version
  diowqctl -j version)");
    sub->callback([&selected] { selected = VersionOptions{}; });
}

} // namespace diowq::cli
