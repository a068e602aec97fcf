// SPDX-License-Identifier: GPL-2.0
// What the command-line tests share: parsing an argument list the way main() does, with its
// stdout and stderr captured, and the two outcomes they check: a command's options, or a usage
// error.
#pragma once

#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "cli/command_line.hpp"
#include "errors.hpp"

namespace diowq::test {

struct Parsed {
    cli::ParseResult result;
    std::string out;
    std::string err;
};

inline Parsed parse(const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    cli::ParseResult result = cli::parse_command_line(args, out, err);
    return {std::move(result), out.str(), err.str()};
}

// The options of the subcommand `args` names, parsed without a word on stderr; T{} (and a failed
// expectation) when it is not a T.
template <typename T>
T command_of(const std::vector<std::string>& args) {
    const Parsed parsed = parse(args);
    EXPECT_TRUE(parsed.result.invocation.has_value()) << parsed.err;
    EXPECT_EQ(parsed.err, "");
    if (!parsed.result.invocation) {
        return T{};
    }
    const T* command = std::get_if<T>(&parsed.result.invocation->command);
    EXPECT_NE(command, nullptr);
    return command ? *command : T{};
}

// A usage error: exit 2, nothing to run, nothing on stdout, and `needle` in the one message on
// stderr, which starts with "diowqctl: ".
inline void expect_usage_error(const std::vector<std::string>& args, const std::string& needle) {
    const Parsed parsed = parse(args);
    EXPECT_FALSE(parsed.result.invocation.has_value());
    EXPECT_EQ(parsed.result.exit_code, exit_usage);
    EXPECT_NE(parsed.err.find(needle), std::string::npos) << "stderr: " << parsed.err;
    EXPECT_EQ(parsed.err.rfind("diowqctl: ", 0), 0u) << parsed.err;
    EXPECT_EQ(parsed.out, "");
}

} // namespace diowq::test
