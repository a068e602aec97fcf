// SPDX-License-Identifier: GPL-2.0
// One value of a kernel attribute file (sysfs, cgroupfs): read whole, written in one write().
// The kernel parses a value per write() and refuses a bad one with that write's error (EINVAL for
// a cpumask without an online CPU, EBUSY for a controller in use, ...), which is what the error
// message carries.
#pragma once

#include <string>
#include <string_view>

namespace diowq::sys {

// The file's text without the trailing newline (and spaces) the kernel prints.
// Throws diowq::Failure "cannot read PATH: ERROR".
std::string read_attribute(const std::string& path);

// Writes `value` with a single write() (O_TRUNC, so that a regular file standing in for the
// attribute in tests reads back the same). Throws diowq::Failure "cannot write 'VALUE' to PATH:
// ERROR".
void write_attribute(const std::string& path, std::string_view value);

} // namespace diowq::sys
