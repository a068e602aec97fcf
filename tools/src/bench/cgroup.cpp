// SPDX-License-Identifier: GPL-2.0
#include "bench/cgroup.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"
#include "system/kernfs_file.hpp"

namespace diowq::bench {

namespace {

bool has_word(std::string_view text, std::string_view word) {
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find_first_of(" \n", start), text.size());
        if (text.substr(start, end - start) == word) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

std::string shown(const std::string& relative) {
    return relative.empty() ? "the root cgroup" : relative;
}

} // namespace

std::string CgroupFs::absolute(std::string_view relative) const {
    return relative.empty() ? root_ : fmt::format("{}/{}", root_, relative);
}

std::string CgroupFs::read(const std::string& relative) const {
    return sys::read_attribute(absolute(relative));
}

void CgroupFs::write(const std::string& relative, const std::string& value) const {
    sys::write_attribute(absolute(relative), value);
}

void CgroupFs::make_group(const std::string& relative) const {
    const std::string path = absolute(relative);
    if (mkdir(path.c_str(), 0755) != 0) {
        throw Failure(fmt::format("cannot create the cgroup {}: {}", path, std::strerror(errno)));
    }
}

void CgroupFs::remove_group(const std::string& relative) const {
    const std::string path = absolute(relative);
    // A group whose last task just left can be busy for a moment.
    for (int attempt = 0;; ++attempt) {
        if (rmdir(path.c_str()) == 0) {
            return;
        }
        if (errno != EBUSY || attempt == 50) {
            throw Failure(
                fmt::format("cannot remove the cgroup {}: {}", path, std::strerror(errno)));
        }
        usleep(10'000);
    }
}

std::optional<std::string> find_cgroup2_mount(const std::vector<sys::MountInfoEntry>& mounts) {
    for (const auto& mount : mounts) {
        if (mount.fstype == "cgroup2" && mount.root == "/") {
            return mount.mount_point;
        }
    }
    return std::nullopt;
}

std::string parse_proc_cgroup(std::string_view text) {
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('\n'), text.size());
        const std::string_view line = text.substr(0, end);
        if (line.starts_with("0::")) {
            return normalize_cgroup_path(line.substr(3));
        }
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    throw Failure("this process is in no cgroup v2 hierarchy (no 0:: line in /proc/self/cgroup)");
}

std::string normalize_cgroup_path(std::string_view path) {
    std::string normalized;
    while (!path.empty()) {
        const std::size_t slash = std::min(path.find('/'), path.size());
        const std::string_view part = path.substr(0, slash);
        if (part == "." || part == "..") {
            throw std::invalid_argument(
                fmt::format("cgroup paths name groups below the root; '{}' is not one", part));
        }
        if (!part.empty()) {
            normalized = cgroup_join(normalized, part);
        }
        path.remove_prefix(std::min(slash + 1, path.size()));
    }
    return normalized;
}

std::vector<std::string> cgroup_lineage(const std::string& path) {
    std::vector<std::string> lineage{""};
    for (std::size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        lineage.push_back(path.substr(0, slash));
    }
    if (!path.empty()) {
        lineage.push_back(path);
    }
    return lineage;
}

std::string cgroup_join(const std::string& parent, std::string_view child) {
    return parent.empty() ? std::string(child) : fmt::format("{}/{}", parent, child);
}

BenchCgroup::BenchCgroup(const CgroupFs& fs, const std::string& parent, const std::string& name,
                         unsigned weight, std::string home, Warn warn)
    : BenchCgroup(fs, parent, {CgroupLevel{name, weight, "load", std::nullopt}}, std::move(home),
                  std::move(warn)) {}

BenchCgroup::BenchCgroup(const CgroupFs& fs, const std::string& parent,
                         std::vector<CgroupLevel> levels, std::string home, Warn warn)
    : fs_(fs)
    , parent_(parent)
    , levels_(std::move(levels))
    , home_(std::move(home))
    , warn_(std::move(warn)) {
    if (levels_.empty()) {
        throw std::invalid_argument("a bench cgroup needs at least one level");
    }
    path_ = level_path(levels_.size() - 1);
    try {
        for (const auto& group : cgroup_lineage(parent)) {
            const std::string control = cgroup_join(group, "cgroup.subtree_control");
            if (has_word(fs_.read(control), "cpu")) {
                continue;
            }
            const std::string available = fs_.read(cgroup_join(group, "cgroup.controllers"));
            if (!has_word(available, "cpu")) {
                throw Failure(fmt::format(
                    "the cpu controller is not available in {} of {} (its cgroup.controllers: "
                    "'{}'): is it bound to a cgroup v1 hierarchy?",
                    shown(group), fs_.root(), available));
            }
            try {
                fs_.write(control, "+cpu");
            } catch (const Failure& e) {
                throw Failure(fmt::format("{}{}", e.what(),
                                          group.empty() ? ""
                                                        : " (a group with processes of its own "
                                                          "cannot delegate controllers: choose "
                                                          "another --cgroup-parent)"));
            }
            enabled_.push_back(group);
        }
        for (std::size_t level = 0; level < levels_.size(); ++level) {
            const std::string path = level_path(level);
            fs_.make_group(path);
            ++created_;
            fs_.write(cgroup_join(path, "cpu.weight"), std::to_string(levels_[level].weight));
            // The group below needs the controller; it goes with the group when removed.
            if (level + 1 < levels_.size()) {
                fs_.write(cgroup_join(path, "cgroup.subtree_control"), "+cpu");
            }
        }
    } catch (...) {
        undo();
        throw;
    }
}

std::string BenchCgroup::level_path(std::size_t level) const {
    std::string path = parent_;
    for (std::size_t i = 0; i <= level && i < levels_.size(); ++i) {
        path = cgroup_join(path, levels_[i].name);
    }
    return path;
}

BenchCgroup::~BenchCgroup() {
    undo();
}

void BenchCgroup::enter(pid_t pid) {
    fs_.write(cgroup_join(path_, "cgroup.procs"), std::to_string(pid));
    inside_ = pid;
}

void BenchCgroup::leave() {
    if (!inside_) {
        return;
    }
    fs_.write(cgroup_join(home_, "cgroup.procs"), std::to_string(*inside_));
    inside_.reset();
}

void BenchCgroup::undo() noexcept {
    const auto attempt = [this](const auto& step) {
        try {
            step();
        } catch (const std::exception& e) {
            if (warn_) {
                warn_(e.what());
            }
        }
    };
    if (inside_) {
        attempt([this] { leave(); });
    }
    // Deepest first: a group with children cannot be removed.
    while (created_ > 0) {
        --created_;
        attempt([this] { fs_.remove_group(level_path(created_)); });
    }
    while (!enabled_.empty()) {
        const std::string group = enabled_.back();
        enabled_.pop_back();
        attempt([&] { fs_.write(cgroup_join(group, "cgroup.subtree_control"), "-cpu"); });
    }
}

} // namespace diowq::bench
