// SPDX-License-Identifier: GPL-2.0
// The tunables of an unbound workqueue registered with WQ_SYSFS:
// /sys/devices/virtual/workqueue/<name>/{nice,cpumask}. The root is a parameter so that the tests
// can point it at a directory of their own.
#pragma once

#include <string>

#include <uapi/diowq.h>

namespace diowq::sys {

struct WorkqueueTunables {
    int nice = 0;
    std::string cpumask; // as the kernel prints it, e.g. "3" or "ff,ffffffff"

    bool operator==(const WorkqueueTunables&) const = default;
};

class WorkqueueSysfs {
public:
    explicit WorkqueueSysfs(std::string root = DIOWQ_WQ_SYSFS_ROOT)
        : root_(std::move(root)) {}

    // Each throws diowq::Failure naming the file and the error.
    WorkqueueTunables read(const std::string& queue) const;
    void write_nice(const std::string& queue, int nice) const;
    void write_cpumask(const std::string& queue, const std::string& mask) const;

private:
    std::string file(const std::string& queue, const char* attribute) const;

    std::string root_;
};

} // namespace diowq::sys
