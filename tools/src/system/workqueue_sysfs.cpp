// SPDX-License-Identifier: GPL-2.0
#include "system/workqueue_sysfs.hpp"

#include <charconv>

#include <fmt/format.h>

#include "errors.hpp"
#include "system/kernfs_file.hpp"

namespace diowq::sys {

std::string WorkqueueSysfs::file(const std::string& queue, const char* attribute) const {
    // The name comes from the kernel; still, never let it climb out of the directory.
    if (queue.empty() || queue == "." || queue == ".." || queue.find('/') != std::string::npos) {
        throw Failure(fmt::format("'{}' is not a workqueue name", queue));
    }
    return fmt::format("{}/{}/{}", root_, queue, attribute);
}

WorkqueueTunables WorkqueueSysfs::read(const std::string& queue) const {
    const std::string nice_file = file(queue, "nice");
    const std::string nice_text = read_attribute(nice_file);
    int nice = 0;
    const auto [end, err] =
        std::from_chars(nice_text.data(), nice_text.data() + nice_text.size(), nice);
    if (err != std::errc() || end != nice_text.data() + nice_text.size()) {
        throw Failure(fmt::format("{}: '{}' is not a nice value", nice_file, nice_text));
    }
    return WorkqueueTunables{nice, read_attribute(file(queue, "cpumask"))};
}

void WorkqueueSysfs::write_nice(const std::string& queue, int nice) const {
    write_attribute(file(queue, "nice"), fmt::format("{}", nice));
}

void WorkqueueSysfs::write_cpumask(const std::string& queue, const std::string& mask) const {
    write_attribute(file(queue, "cpumask"), mask);
}

} // namespace diowq::sys
