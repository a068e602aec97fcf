// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/subcommands.hpp"
#include "cli/validators.hpp"

namespace diowq::cli {

namespace {

struct RawAuto {
    std::string fstypes;
    std::string default_mode;
};

} // namespace

void add_auto_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand("auto", "Show or set auto-tuning and the default mode");
    auto raw = std::make_shared<RawAuto>();
    auto* fstypes = sub->add_option("-f,--fstypes", raw->fstypes,
                                    "Types to tune automatically, e.g. xfs,ext4; \"\": none")
                        ->type_name("LIST")
                        ->check(fstype_list_validator());
    auto* mode = sub->add_option("-d,--default-mode", raw->default_mode,
                                 fmt::format("{}: for auto-tuning and tune without --mode",
                                             default_mode_names()))
                     ->type_name("MODE")
                     ->check(default_mode_validator());
    sub->footer(R"(Without options, shows the settings. With --fstypes, every mounted filesystem of
those types is tuned at once, and new mounts within the rescan period; untuned filesystems stay
untuned until unmounted. Both options together are applied together, or not at all.

Examples:
  diowqctl auto                                  show
  diowqctl -j auto                               show as JSON (-j/-p go before the command)
  diowqctl auto --fstypes xfs,ext4
  diowqctl auto --fstypes "" --default-mode unbound)");
    sub->callback([&selected, raw, fstypes, mode] {
        AutoOptions options;
        if (fstypes->count() > 0) {
            options.fstypes = parse_checked_fstypes(raw->fstypes);
        }
        if (mode->count() > 0) {
            options.default_mode = parse_checked_mode(raw->default_mode);
        }
        selected = options;
    });
}

} // namespace diowq::cli
