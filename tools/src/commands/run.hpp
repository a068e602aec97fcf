// SPDX-License-Identifier: GPL-2.0
// Runs a parsed invocation and turns what goes wrong into one message per line on stderr, each
// starting with "diowqctl: ", and an exit code (errors.hpp).
#pragma once

#include <exception>
#include <ostream>
#include <string>

#include "cli/invocation.hpp"

namespace diowq::commands {

int run(const cli::Invocation& invocation, std::ostream& out, std::ostream& err);

// What the user reads for an exception: the kernel's refusals get their errno text, the kernel's
// own message, and a hint when there is an obvious fix (EPERM: run as root).
std::string explain(const std::exception& error);

} // namespace diowq::commands
