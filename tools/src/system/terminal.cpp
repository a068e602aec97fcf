// SPDX-License-Identifier: GPL-2.0
#include "system/terminal.hpp"

#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace diowq::sys {

bool redrawable_terminal(int fd) {
    const char* term = std::getenv("TERM");
    return isatty(fd) == 1 && term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
}

} // namespace diowq::sys
