#include "system/workqueue_sysfs.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"
#include "system/unique_fd.hpp"

namespace diowq::sys {

namespace {

std::string read_file(const std::string& path) {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw Failure(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    }
    std::string text;
    char buffer[256];
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

// sysfs takes a value in one write(); its error (EINVAL for a mask without an online CPU) is the
// write's error.
void write_file(const std::string& path, const std::string& value) {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC)); // as `echo >` does
    if (!fd) {
        throw Failure(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    const std::string line = value + "\n";
    ssize_t n = 0;
    do {
        n = ::write(fd.get(), line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        throw Failure(
            fmt::format("cannot write '{}' to {}: {}", value, path, std::strerror(errno)));
    }
    if (static_cast<std::size_t>(n) != line.size()) {
        throw Failure(fmt::format("cannot write '{}' to {}: short write", value, path));
    }
}

} // namespace

std::string WorkqueueSysfs::file(const std::string& queue, const char* attribute) const {
    // The name comes from the kernel; still, never let it climb out of the directory.
    if (queue.empty() || queue == "." || queue == ".." || queue.find('/') != std::string::npos) {
        throw Failure(fmt::format("'{}' is not a workqueue name", queue));
    }
    return fmt::format("{}/{}/{}", root_, queue, attribute);
}

WorkqueueTunables WorkqueueSysfs::read(const std::string& queue) const {
    const std::string nice_file = file(queue, "nice");
    const std::string nice_text = read_file(nice_file);
    int nice = 0;
    const auto [end, err] =
        std::from_chars(nice_text.data(), nice_text.data() + nice_text.size(), nice);
    if (err != std::errc() || end != nice_text.data() + nice_text.size()) {
        throw Failure(fmt::format("{}: '{}' is not a nice value", nice_file, nice_text));
    }
    return WorkqueueTunables{nice, read_file(file(queue, "cpumask"))};
}

void WorkqueueSysfs::write_nice(const std::string& queue, int nice) const {
    write_file(file(queue, "nice"), fmt::format("{}", nice));
}

void WorkqueueSysfs::write_cpumask(const std::string& queue, const std::string& mask) const {
    write_file(file(queue, "cpumask"), mask);
}

} // namespace diowq::sys
