// SPDX-License-Identifier: GPL-2.0
// The real TuningBackend: the module over netlink, the queues' tunables in sysfs.
#pragma once

#include <chrono>
#include <string>

#include "commands/tuning.hpp"
#include "netlink/client.hpp"
#include "system/workqueue_sysfs.hpp"

namespace diowq::commands {

// Polls (bounded) until the module removed a retired leaf cgroup; throws Failure when it stays.
void wait_leaf_gone(const std::string& leaf,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

class ClientBackend : public TuningBackend {
public:
    explicit ClientBackend(nl::DiowqClient& client,
                           sys::WorkqueueSysfs sysfs = sys::WorkqueueSysfs())
        : client_(client)
        , sysfs_(std::move(sysfs)) {}

    std::optional<SuperblockStatus> get_superblock(int fd) override {
        return client_.get_superblock(fd);
    }
    void tune(int fd, std::optional<Mode> mode) override { client_.tune(fd, mode); }
    void tune_cgroup(int fd, const CgroupRequest& cgroup) override {
        client_.tune_cgroup(fd, cgroup);
    }
    void untune(int fd) override { client_.untune(fd); }
    void wait_cgroup_gone(const std::string& leaf) override { wait_leaf_gone(leaf); }
    sys::WorkqueueTunables read_tunables(const std::string& queue) override {
        return sysfs_.read(queue);
    }
    void write_nice(const std::string& queue, int nice) override { sysfs_.write_nice(queue, nice); }
    void write_cpumask(const std::string& queue, const std::string& mask) override {
        sysfs_.write_cpumask(queue, mask);
    }

private:
    nl::DiowqClient& client_;
    sys::WorkqueueSysfs sysfs_;
};

} // namespace diowq::commands
