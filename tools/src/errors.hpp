// SPDX-License-Identifier: GPL-2.0
// Exit codes and the two kinds of failure every command reports.
#pragma once

#include <stdexcept>
#include <string>

namespace diowq {

// Documented in the top-level --help and stable: scripts rely on them.
enum ExitCode : int {
    exit_ok = 0,
    exit_failed = 1,  // the system or the kernel refused, or something is not as asked
    exit_usage = 2,   // the command line itself is wrong
    exit_starved = 3, // diagnose: dio completions are starved (the diagnosis itself worked)
};

// The command line is wrong in a way only found after parsing (exit 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An operation failed (exit 1). The message is complete and meant for the user.
class Failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace diowq
