// SPDX-License-Identifier: GPL-2.0
#include "system/stop_signals.hpp"

#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::sys {

namespace {

sigset_t stop_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

} // namespace

StopSignals::StopSignals() {
    const sigset_t set = stop_set();
    if (sigprocmask(SIG_BLOCK, &set, &old_mask_) != 0) {
        throw Failure(fmt::format("sigprocmask: {}", std::strerror(errno)));
    }
    fd_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) {
        const int error = errno;
        sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
        throw Failure(fmt::format("signalfd: {}", std::strerror(error)));
    }
}

StopSignals::~StopSignals() {
    stopped(); // consume what is pending, so that unblocking delivers nothing
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

bool StopSignals::wait(int timeout_ms) {
    if (signal_ != 0) {
        return true;
    }
    pollfd pfd{fd_.get(), POLLIN, 0};
    const int ready = poll(&pfd, 1, timeout_ms);
    if (ready <= 0) {
        return false; // timeout, or EINTR from a signal not ours: slept (maybe less)
    }
    signalfd_siginfo info{};
    while (read(fd_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
        if (signal_ == 0) {
            signal_ = static_cast<int>(info.ssi_signo);
        }
    }
    return signal_ != 0;
}

bool StopSignals::stopped() {
    return wait(0);
}

bool StopSignals::sleep_for(std::chrono::milliseconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return !stopped();
        }
        if (wait(static_cast<int>(left.count()))) {
            return false;
        }
    }
}

} // namespace diowq::sys
