// SPDX-License-Identifier: GPL-2.0
#include "commands/latency_session.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "latency/queue.hpp"
#include "netlink/extack.hpp"

namespace diowq::commands {

namespace {

std::optional<std::string> first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) {
        return std::nullopt;
    }
    return line;
}

// The kernel name of a block device ("vdb", "sda1"): the s_id of a filesystem on it.
std::optional<std::string> block_device_name(DeviceNumber dev) {
    std::error_code error;
    const auto target = std::filesystem::read_symlink(
        fmt::format("/sys/dev/block/{}:{}", dev.major, dev.minor), error);
    if (error || target.filename().empty()) {
        return std::nullopt;
    }
    return target.filename().string();
}

} // namespace

TemporaryWatch::TemporaryWatch(WatchControl& control, const sys::MountRoot* root, std::ostream& err)
    : control_(control)
    , root_(root)
    , err_(err) {
    const WatchState state = control_.get_watch();
    if (state.all || (root_ && state.watches({root_->dev_major, root_->dev_minor}))) {
        return; // already watched: leave it as it is, before and after
    }
    if (root_) {
        control_.watch(root_->fd.get());
    } else {
        control_.watch_all();
    }
    added_ = true;
}

TemporaryWatch::~TemporaryWatch() {
    try {
        end();
    } catch (const std::exception& e) {
        err_ << "diowqctl: could not remove the watch this command added: " << e.what() << '\n';
    }
}

void TemporaryWatch::end() {
    if (!added_) {
        return;
    }
    added_ = false;
    try {
        if (root_) {
            control_.unwatch(root_->fd.get());
        } else {
            control_.unwatch_all();
        }
    } catch (const nl::KernelError& e) {
        // Ended meanwhile (untuned, or unwatched by someone else). Ending the watch of all
        // filesystems leaves those of single ones: each watch is one of its own.
        if (e.error() != ENOENT) {
            throw;
        }
    }
}

latency::Snapshot LatencyReader::read() {
    latency::Snapshot snapshot;
    if (clear_max_) {
        try {
            snapshot.cpus = client_.get_latency(true);
            snapshot.max_cleared = true;
        } catch (const nl::KernelError& e) {
            if (e.error() != EPERM && e.error() != EACCES) {
                throw;
            }
            clear_max_ = false;
        }
    }
    if (!clear_max_) {
        snapshot.cpus = client_.get_latency(false);
    }
    snapshot.taken = std::chrono::steady_clock::now();
    return snapshot;
}

std::optional<std::string> queue_of(const latency::CpuInterval& interval,
                                    const std::vector<SuperblockStatus>& tuned) {
    std::optional<std::string> comm;
    if (interval.worker_pid) {
        comm = first_line(fmt::format("/proc/{}/comm", *interval.worker_pid));
    }
    std::optional<std::string> device;
    if (interval.dev) {
        device = block_device_name(*interval.dev);
    }
    return latency::completion_queue(comm, interval.dev, tuned, device);
}

} // namespace diowq::commands
