// SPDX-License-Identifier: GPL-2.0
#include "bench/tuning.hpp"

#include <fmt/format.h>

#include "errors.hpp"
#include "system/cgroup_dir.hpp"

namespace diowq::bench {

FilesystemTuning::FilesystemTuning(sys::MountRoot root, Warn warn)
    : root_(std::move(root))
    , client_(nl::DiowqClient::connect())
    , warn_(std::move(warn)) {
    client_.on_warning([this](const std::string& message) {
        if (warn_) {
            warn_("kernel: " + message);
        }
    });
    original_ = client_.get_superblock(root_.fd.get());
}

FilesystemTuning::~FilesystemTuning() {
    try {
        set(original_ ? original_->mode : std::nullopt);
    } catch (const std::exception& e) {
        if (warn_) {
            warn_(fmt::format(
                "{}: could not put diowq's tuning back ({}): {}", root_.path,
                original_ && original_->mode ? mode_name(*original_->mode) : "untuned", e.what()));
        }
    }
}

void FilesystemTuning::set(std::optional<Mode> mode) {
    // Asked each time: someone else may have changed it meanwhile.
    const auto now = status();
    if ((now ? now->mode : std::nullopt) == mode) {
        return;
    }
    if (mode == Mode::cgroup) {
        if (!cgroup_) {
            throw std::logic_error("mode cgroup without a cgroup directory");
        }
        client_.tune_cgroup(root_.fd.get(), *cgroup_);
    } else if (mode) {
        client_.tune(root_.fd.get(), mode);
    } else {
        client_.untune(root_.fd.get());
    }
    // The module answers before its leaf is gone (it does not wait in a netlink request).
    if (now && now->mode == Mode::cgroup && now->cgroup &&
        !sys::wait_gone(*now->cgroup, std::chrono::seconds(10))) {
        throw Failure(fmt::format("{}: the leaf cgroup {} of mode cgroup is still there 10 s "
                                  "after leaving the mode",
                                  root_.path, *now->cgroup));
    }
}

std::optional<SuperblockStatus> FilesystemTuning::status() {
    return client_.get_superblock(root_.fd.get());
}

} // namespace diowq::bench
