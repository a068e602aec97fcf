// SPDX-License-Identifier: GPL-2.0
#include "commands/targets.hpp"

#include <algorithm>

#include "errors.hpp"

namespace diowq::commands {

std::vector<sys::MountRoot> open_targets(const std::vector<std::string>& paths) {
    const auto mounts = sys::read_mountinfo();
    std::vector<sys::MountRoot> roots;
    std::string problems;
    for (const auto& path : paths) {
        try {
            auto root = sys::open_mount_root(path, mounts);
            const bool seen = std::any_of(roots.begin(), roots.end(), [&](const auto& other) {
                return other.dev_major == root.dev_major && other.dev_minor == root.dev_minor;
            });
            if (!seen) {
                roots.push_back(std::move(root));
            }
        } catch (const Failure& e) {
            problems += e.what();
            problems += '\n';
        }
    }
    if (!problems.empty()) {
        throw Failure(problems + "nothing was changed");
    }
    return roots;
}

std::vector<Target> targets_of(const std::vector<sys::MountRoot>& roots) {
    std::vector<Target> targets;
    targets.reserve(roots.size());
    for (const auto& root : roots) {
        targets.push_back({root.path, root.fd.get()});
    }
    return targets;
}

} // namespace diowq::commands
