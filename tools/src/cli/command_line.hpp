// SPDX-License-Identifier: GPL-2.0
// Turns argv into an Invocation, or into an exit code: 0 after --help or --version, 2 (with a
// message on `err`) when the command line is wrong.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/invocation.hpp"

namespace diowq::cli {

struct ParseResult {
    std::optional<Invocation> invocation; // set: run it
    int exit_code = 0;                    // otherwise: exit with this
};

// `args` are the arguments after the program name.
ParseResult parse_command_line(const std::vector<std::string>& args, std::ostream& out,
                               std::ostream& err);

} // namespace diowq::cli
