// SPDX-License-Identifier: GPL-2.0
// Waiting, without polling in a loop, for the mount table to change or for a request to stop.
// The kernel flags /proc/self/mountinfo with POLLPRI | POLLERR whenever a mount is added to or
// removed from the namespace; SIGTERM, SIGINT and SIGHUP arrive through a signalfd.
#pragma once

#include <signal.h>

#include "system/unique_fd.hpp"

namespace diowq::sys {

class MountWatch {
public:
    enum class Wake { mounts_changed, stop };

    // Blocks the stop signals (they are only seen by wait() from now on) and opens the table.
    // Changes made after this returns are seen by the next wait(). Throws diowq::Failure.
    MountWatch();
    ~MountWatch();
    MountWatch(const MountWatch&) = delete;
    MountWatch& operator=(const MountWatch&) = delete;

    // Blocks until the table changed since the last call (or construction), or a stop signal
    // came; a stop signal wins. Throws diowq::Failure if polling fails.
    Wake wait();

    // The signal that ended the last wait() with Wake::stop.
    int stop_signal() const { return stop_signal_; }

private:
    UniqueFd mountinfo_;
    UniqueFd signals_;
    int stop_signal_ = 0;
    bool restore_mask_ = false;
    sigset_t old_mask_{};
};

} // namespace diowq::sys
