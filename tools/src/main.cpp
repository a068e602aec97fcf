// SPDX-License-Identifier: GPL-2.0
// diowqctl: the control tool of diowq. Parsing is in cli/, the commands in commands/.
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "commands/run.hpp"

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto parsed = diowq::cli::parse_command_line(args, std::cout, std::cerr);
    if (!parsed.invocation) {
        return parsed.exit_code;
    }
    return diowq::commands::run(*parsed.invocation, std::cout, std::cerr);
}
