// SPDX-License-Identifier: GPL-2.0
#include "commands/client_backend.hpp"

#include <fmt/format.h>

#include "errors.hpp"
#include "system/cgroup_dir.hpp"

namespace diowq::commands {

void wait_leaf_gone(const std::string& leaf, std::chrono::milliseconds timeout) {
    if (!sys::wait_gone(leaf, timeout)) {
        throw Failure(fmt::format(
            "the change was made, but the leaf cgroup {} is still there after {} s: the module "
            "removes it once its last completion ran (a frozen filesystem holds it until thawed) "
            "and its thread left it (a pod throttled by its cpu.max holds it until its next "
            "quota: the module retries for up to 10 s); "
            "the cgroup {} cannot be removed until it is gone",
            leaf, std::chrono::duration_cast<std::chrono::seconds>(timeout).count(),
            sys::parent_dir(leaf)));
    }
}

} // namespace diowq::commands
