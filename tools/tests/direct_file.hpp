// SPDX-License-Identifier: GPL-2.0
// A temporary file for O_DIRECT I/O, on the first of /var/tmp and /tmp that allows it (tmpfs
// does not), allocated and removed again: for the tests that do real asynchronous I/O.
#pragma once

#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace diowq::testing_support {

struct DirectFile {
    std::string path;
    int fd = -1;

    DirectFile() = default;
    DirectFile(const DirectFile&) = delete;
    DirectFile& operator=(const DirectFile&) = delete;
    ~DirectFile() {
        if (fd >= 0) {
            ::close(fd);
            ::unlink(path.c_str());
        }
    }
};

// "" when `file` is open with O_DIRECT and `bytes` long (fallocated), else why it is not.
inline std::string open_direct_file(DirectFile& file, const std::string& stem, off_t bytes) {
    for (const char* dir : {"/var/tmp", "/tmp"}) {
        std::string path = std::string(dir) + "/" + stem + "-XXXXXX";
        const int fd = ::mkostemp(path.data(), O_DIRECT);
        if (fd < 0) {
            continue;
        }
        if (::posix_fallocate(fd, 0, bytes) == 0) {
            file.path = path;
            file.fd = fd;
            return {};
        }
        ::close(fd);
        ::unlink(path.c_str());
    }
    return "no directory with O_DIRECT and fallocate";
}

} // namespace diowq::testing_support
