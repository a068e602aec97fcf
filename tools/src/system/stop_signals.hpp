// SPDX-License-Identifier: GPL-2.0
// Ctrl-C (SIGINT), SIGTERM and SIGHUP as requests to stop, for commands that must clean up
// (remove a watch they added) before they go: while this lives the signals are blocked and read
// from a signalfd, so that none can end the process halfway; sleep_for() wakes up for them.
#pragma once

#include <chrono>

#include <signal.h>

#include "system/unique_fd.hpp"

namespace diowq::sys {

class StopSignals {
public:
    // Throws diowq::Failure when the signals cannot be blocked.
    StopSignals();
    // Reads what is pending, then unblocks: a signal that came is not delivered again.
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // Sleeps `duration`; false (at once) when a stop signal came, now or before.
    bool sleep_for(std::chrono::milliseconds duration);
    // A stop signal came (reads what is pending without waiting).
    bool stopped();
    // The signal that stopped us, 0 if none.
    int signal() const { return signal_; }

private:
    bool wait(int timeout_ms);

    UniqueFd fd_;
    sigset_t old_mask_{};
    int signal_ = 0;
};

} // namespace diowq::sys
