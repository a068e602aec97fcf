// SPDX-License-Identifier: GPL-2.0
#include <algorithm>

#include "commands/commands.hpp"
#include "commands/targets.hpp"
#include "netlink/client.hpp"
#include "output/render.hpp"
#include "system/mountinfo.hpp"

namespace diowq::commands {

namespace {

TunedFilesystem with_mountpoints(SuperblockStatus sb,
                                 const std::vector<sys::MountInfoEntry>& mounts) {
    std::vector<std::string> points;
    if (sb.dev_major && sb.dev_minor) {
        points = sys::mountpoints_of(mounts, *sb.dev_major, *sb.dev_minor);
    }
    return {std::move(sb), std::move(points)};
}

int show_path(const std::string& path, const OutputSink& sink) {
    const auto mounts = sys::read_mountinfo();
    const auto root = sys::open_mount_root(path, mounts);
    auto client = sink.connect();
    std::optional<TunedFilesystem> fs;
    if (auto sb = client.get_superblock(root.fd.get())) {
        fs = with_mountpoints(std::move(*sb), mounts);
    }
    if (sink.json()) {
        sink.print_json(render::path_status_json(path, fs));
    } else {
        sink.print_text(render::path_status_text(path, fs));
    }
    return exit_ok;
}

} // namespace

int run_status(const cli::StatusOptions& options, const OutputSink& sink) {
    if (options.path) {
        return show_path(*options.path, sink);
    }
    auto client = sink.connect();
    const Config config = client.get_config();
    auto superblocks = client.list_superblocks();
    // The module lists them in its own order; sort for output that does not shuffle.
    std::sort(superblocks.begin(), superblocks.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    const auto mounts = sys::read_mountinfo();
    std::vector<TunedFilesystem> tuned;
    tuned.reserve(superblocks.size());
    for (auto& sb : superblocks) {
        tuned.push_back(with_mountpoints(std::move(sb), mounts));
    }
    if (sink.json()) {
        sink.print_json(render::status_json(config, tuned));
    } else {
        sink.print_text(render::status_text(config, tuned));
    }
    return exit_ok;
}

} // namespace diowq::commands
