// SPDX-License-Identifier: GPL-2.0
#include "system/kernfs_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"
#include "system/unique_fd.hpp"

namespace diowq::sys {

std::string read_attribute(const std::string& path) {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw Failure(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    }
    std::string text;
    char buffer[512];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw Failure(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
        }
        if (n == 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

void write_attribute(const std::string& path, std::string_view value) {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) {
        throw Failure(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    ssize_t n = 0;
    do {
        n = ::write(fd.get(), value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        throw Failure(
            fmt::format("cannot write '{}' to {}: {}", value, path, std::strerror(errno)));
    }
    if (static_cast<std::size_t>(n) != value.size()) {
        throw Failure(fmt::format("cannot write '{}' to {}: short write", value, path));
    }
}

} // namespace diowq::sys
