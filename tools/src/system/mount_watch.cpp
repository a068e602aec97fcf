// SPDX-License-Identifier: GPL-2.0
#include "system/mount_watch.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::sys {

namespace {

constexpr const char* mountinfo_path = "/proc/self/mountinfo";

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

[[noreturn]] void fail(const char* what) {
    throw Failure(fmt::format("watching mounts: {}: {}", what, std::strerror(errno)));
}

} // namespace

MountWatch::MountWatch() {
    const sigset_t set = stop_signals();
    if (sigprocmask(SIG_BLOCK, &set, &old_mask_) != 0) {
        fail("sigprocmask");
    }
    restore_mask_ = true;
    signals_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signals_) {
        fail("signalfd");
    }
    mountinfo_.reset(open(mountinfo_path, O_RDONLY | O_CLOEXEC));
    if (!mountinfo_) {
        fail(mountinfo_path);
    }
}

MountWatch::~MountWatch() {
    if (restore_mask_) {
        sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    }
}

MountWatch::Wake MountWatch::wait() {
    for (;;) {
        pollfd fds[2] = {
            {signals_.get(), POLLIN, 0},
            {mountinfo_.get(), POLLPRI, 0},
        };
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("poll");
        }
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info{};
            if (read(signals_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
                stop_signal_ = static_cast<int>(info.ssi_signo);
                return Wake::stop;
            }
        }
        // The kernel resets the flag when it reports it: the next poll waits for a new change.
        if (fds[1].revents & (POLLPRI | POLLERR)) {
            return Wake::mounts_changed;
        }
        if (fds[1].revents & (POLLNVAL | POLLHUP)) {
            errno = EBADF;
            fail(mountinfo_path);
        }
    }
}

} // namespace diowq::sys
