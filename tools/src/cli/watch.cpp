// SPDX-License-Identifier: GPL-2.0
#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace diowq::cli {

namespace {

struct RawWatch {
    std::vector<std::string> paths;
    bool all = false;
};

// What watching is, for the help of watch and unwatch.
constexpr const char* what_watching_is =
    R"(Watching a filesystem makes the module measure, per CPU, how long its direct-I/O write
completions wait between being queued (workqueue_queue_work) and starting to run
(workqueue_execute_start): the dispatch delay that a busy CPU makes long. It registers probes on
those two workqueue tracepoints while anything is watched (the first watch registers them, the
last unwatch removes them; each registration patches kernel code, as any tracepoint does); it
never changes a queue. A watch lasts until unwatched, until its filesystem is untuned, or until
the module is unloaded. See the numbers with `diowqctl top` and `diowqctl diagnose`.)";

} // namespace

void add_watch_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand(
        "watch", "Measure the dispatch latency of filesystems' dio completions, or show what is");
    auto raw = std::make_shared<RawWatch>();
    auto* paths = sub->add_option("PATH", raw->paths, "Mount points of XFS or ext4 filesystems")
                      ->type_name("");
    auto* all = sub->add_flag("-a,--all", raw->all,
                              "Watch every XFS and ext4 filesystem, also those mounted later");
    all->excludes(paths);
    sub->footer(std::string(what_watching_is) + R"(

Without arguments, shows what is watched, whether the probes are on, how many completions they
measured and the time spent in them. With PATHs, every PATH is checked first; if watching one
fails, those this command already added are unwatched again (all or nothing). Watching a
filesystem that is watched changes nothing. Needs root (CAP_SYS_ADMIN).

Exit codes: 0 done; 1 failed (module not loaded, not root, bad PATH, refused by the kernel).

Examples:
  diowqctl watch /srv/data        measure the completions of /srv/data's filesystem
  diowqctl watch --all            every filesystem diowq supports
  diowqctl watch                  what is watched
  diowqctl -j watch               {"probes": true, "all": false, "watched": [...], ...})");
    sub->callback([&selected, raw] { selected = WatchOptions{raw->paths, raw->all}; });
}

void add_unwatch_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand("unwatch", "Stop measuring dispatch latency");
    auto raw = std::make_shared<RawWatch>();
    auto* paths =
        sub->add_option("PATH", raw->paths, "Mount points of watched filesystems")->type_name("");
    auto* all =
        sub->add_flag("-a,--all", raw->all, "End every watch: --all's and each filesystem's");
    all->excludes(paths);
    sub->footer(std::string(what_watching_is) + R"(

Every PATH must be watched on its own (not only through --all); if unwatching one fails, those
already unwatched by this command are watched again. When nothing is watched any more, the
probes are removed and the counters start from zero at the next watch. Needs root.

Exit codes: 0 done; 1 failed (not watched, module not loaded, not root, bad PATH).

Examples:
  diowqctl unwatch /srv/data
  diowqctl unwatch --all)");
    sub->callback([&selected, raw] {
        if (raw->paths.empty() && !raw->all) {
            throw CLI::ValidationError("unwatch", "name the mount points to unwatch, or --all");
        }
        selected = UnwatchOptions{raw->paths, raw->all};
    });
}

} // namespace diowq::cli
