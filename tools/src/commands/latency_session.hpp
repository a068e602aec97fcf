// SPDX-License-Identifier: GPL-2.0
// What top and diagnose share: a watch that lasts as long as the command (and removes only what
// it added), snapshots of the counters, and the name of the queue that runs a CPU's completions.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "latency/interval.hpp"
#include "model/latency.hpp"
#include "model/model.hpp"
#include "netlink/client.hpp"
#include "system/mount_root.hpp"

namespace diowq::commands {

// The watch requests TemporaryWatch makes; DiowqClient's, or a fake's in the tests.
class WatchControl {
public:
    virtual ~WatchControl() = default;
    virtual WatchState get_watch() = 0;
    virtual void watch(int mount_root_fd) = 0;
    virtual void watch_device(DeviceNumber dev) = 0;
    virtual void watch_all() = 0;
    virtual void unwatch(int mount_root_fd) = 0;
    virtual void unwatch_all() = 0;
};

class ClientWatchControl : public WatchControl {
public:
    explicit ClientWatchControl(nl::DiowqClient& client)
        : client_(client) {}
    WatchState get_watch() override { return client_.get_watch(); }
    void watch(int mount_root_fd) override { client_.watch(mount_root_fd); }
    void watch_device(DeviceNumber dev) override { client_.watch_device(dev); }
    void watch_all() override { client_.watch_all(); }
    void unwatch(int mount_root_fd) override { client_.unwatch(mount_root_fd); }
    void unwatch_all() override { client_.unwatch_all(); }

private:
    nl::DiowqClient& client_;
};

// Watches the filesystem of `root` (nullptr: all of them) unless the module already does, and
// undoes exactly that when it ends. Ending a watch of "all" takes UNWATCH ALL, which also ends
// the per-filesystem watches: those there before are put back (by device number).
class TemporaryWatch {
public:
    TemporaryWatch(WatchControl& control, const sys::MountRoot* root, std::ostream& err);
    // end(), with a failure reported on `err` instead of thrown.
    ~TemporaryWatch();
    TemporaryWatch(const TemporaryWatch&) = delete;
    TemporaryWatch& operator=(const TemporaryWatch&) = delete;

    bool added() const { return added_; }
    // Removes what was added; throws on failure. Idempotent.
    void end();

private:
    WatchControl& control_;
    const sys::MountRoot* root_;
    std::ostream& err_;
    bool added_ = false;
};

// GET_LATENCY snapshots, with CLEAR_MAX when allowed (root): each window's maximum is then exact.
// Without the privilege, maxima are bounded from the histogram (latency/interval.hpp).
class LatencyReader {
public:
    explicit LatencyReader(nl::DiowqClient& client)
        : client_(client) {}
    latency::Snapshot read();

private:
    nl::DiowqClient& client_;
    bool clear_max_ = true;
};

// The queue running a CPU's completions (latency::completion_queue, from /proc and /sys).
std::optional<std::string> queue_of(const latency::CpuInterval& interval,
                                    const std::vector<SuperblockStatus>& tuned);

} // namespace diowq::commands
