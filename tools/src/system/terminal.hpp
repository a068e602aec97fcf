// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace diowq::sys {

// Whether output to `fd` can be redrawn in place: a terminal that says what it is (TERM set, and
// not "dumb"). A serial console or a test VM's port is a tty without TERM: it gets plain lines.
bool redrawable_terminal(int fd);

} // namespace diowq::sys
