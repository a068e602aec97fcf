// SPDX-License-Identifier: GPL-2.0
// Checks of option values shared by the subcommands. Each returns a CLI11 validator whose error
// message says what is accepted; parse_* turn the checked text into its value.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "model/model.hpp"

namespace diowq::cli {

CLI::Validator mode_validator();
// A mode that can be the default (not cgroup).
CLI::Validator default_mode_validator();
// cpu.weight's range, DIOWQ_CG_WEIGHT_MIN..DIOWQ_CG_WEIGHT_MAX.
CLI::Validator cgroup_weight_validator();
CLI::Validator cpulist_validator();
CLI::Validator fstype_list_validator();

Mode parse_checked_mode(const std::string& text);
std::vector<std::string> parse_checked_fstypes(const std::string& text);

// The message the user sees for an empty or bad list: also used by the tests.
std::string check_fstype_list(const std::string& text);

} // namespace diowq::cli
