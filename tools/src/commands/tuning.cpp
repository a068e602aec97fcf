// SPDX-License-Identifier: GPL-2.0
#include "commands/tuning.hpp"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "commands/run.hpp"
#include "commands/transaction.hpp"
#include "errors.hpp"
#include "system/cgroup_dir.hpp"

namespace diowq::commands {

namespace {

// What a filesystem looked like before this command touched it, and what the command did.
struct Change {
    const Target* target = nullptr;
    std::optional<SuperblockStatus> before;
    // The queue's nice/cpumask before, when it was an unbound queue: restored on rollback.
    std::optional<sys::WorkqueueTunables> before_tunables;
    bool state_changed = false;    // tuned/untuned, or a new queue (mode switch)
    bool tunables_written = false; // nice/cpumask written to the queue of `before`
};

void write_tunables(TuningBackend& backend, const std::string& queue,
                    const sys::WorkqueueTunables& tunables) {
    backend.write_cpumask(queue, tunables.cpumask);
    backend.write_nice(queue, tunables.nice);
}

std::string queue_of(TuningBackend& backend, const Target& target) {
    const auto sb = backend.get_superblock(target.fd);
    if (!sb || !sb->workqueue || sb->workqueue->empty()) {
        throw Failure("not tuned any more (unmounted or untuned meanwhile?)");
    }
    return *sb->workqueue;
}

// Puts one filesystem back as `change.before` describes; returns what was done, for the report
// ("" when there was nothing to undo).
std::string undo(TuningBackend& backend, const Change& change) {
    const Target& target = *change.target;
    if (!change.state_changed) {
        if (change.tunables_written && change.before_tunables) {
            write_tunables(backend, *change.before->workqueue, *change.before_tunables);
            return "put its nice and cpumask back";
        }
        if (change.tunables_written) {
            return "its old nice and cpumask could not be read, so they were not put back";
        }
        return {};
    }
    if (!change.before) {
        backend.untune(target.fd);
        return "untuned it again";
    }
    tune_as_before(backend, target.fd, *change.before);
    std::string done = fmt::format("tuned it again in mode {}",
                                   change.before->mode ? mode_name(*change.before->mode) : "?");
    if (change.before->cgroup) {
        done += fmt::format(" below {}", sys::parent_dir(*change.before->cgroup));
    }
    if (change.before->origin == Origin::automatic) {
        done += " (its origin is now manual)";
    }
    if (change.before_tunables) {
        write_tunables(backend, queue_of(backend, target), *change.before_tunables);
        done += ", with its old nice and cpumask";
    }
    return done;
}

// Undoes what this command did and throws the failure's report.
[[noreturn]] void roll_back(Transaction& transaction, const std::vector<Target>& targets,
                            const std::string& verb, const Target& failed,
                            const std::string& reason) {
    const auto undone = transaction.roll_back();
    std::string report =
        fmt::format("{} {}: {}", verb, failed.path, reason) + rollback_lines(undone);
    const auto left = left_changed(undone);
    if (left.empty()) {
        report += "\nnothing was changed";
    } else {
        std::vector<std::string> unchanged;
        for (const auto& target : targets) {
            if (std::find(left.begin(), left.end(), target.path) == left.end()) {
                unchanged.push_back(target.path);
            }
        }
        report += fmt::format("\nleft changed: {}; unchanged: {}", fmt::join(left, " "),
                              unchanged.empty() ? "none" : join_list(unchanged, " "));
    }
    throw Failure(report);
}

// Waits for the leaves a command retired; the first that stays is the failure.
void wait_leaves_gone(TuningBackend& backend, const std::vector<std::string>& leaves) {
    for (const auto& leaf : leaves) {
        backend.wait_cgroup_gone(leaf);
    }
}

} // namespace

void tune_as_before(TuningBackend& backend, int fd, const SuperblockStatus& before) {
    if (before.mode != Mode::cgroup) {
        backend.tune(fd, before.mode);
        return;
    }
    if (!before.cgroup || before.cgroup->empty()) {
        throw Failure(
            "its cgroup directory is unknown, so it cannot be tuned in mode cgroup again");
    }
    const auto dir = sys::open_cgroup_dir(sys::parent_dir(*before.cgroup));
    backend.tune_cgroup(fd, CgroupRequest{dir.get(), before.cgroup_weight});
}

bool setup_changed(const std::optional<SuperblockStatus>& before,
                   const std::optional<SuperblockStatus>& after) {
    return !before || !after || before->mode != after->mode ||
           before->workqueue != after->workqueue || before->cgroup != after->cgroup ||
           before->cgroup_weight != after->cgroup_weight;
}

std::optional<std::string> leaf_retired(const std::optional<SuperblockStatus>& before,
                                        const std::optional<SuperblockStatus>& after) {
    if (!before || !before->cgroup || before->cgroup->empty()) {
        return std::nullopt;
    }
    if (after && after->cgroup == before->cgroup) {
        return std::nullopt;
    }
    return before->cgroup;
}

std::optional<sys::WorkqueueTunables> tunables_before(TuningBackend& backend,
                                                      const std::optional<SuperblockStatus>& sb) {
    if (!sb || sb->mode != Mode::unbound || !sb->workqueue || sb->workqueue->empty()) {
        return std::nullopt;
    }
    try {
        return backend.read_tunables(*sb->workqueue);
    } catch (const std::exception&) {
        return std::nullopt; // only needed for a rollback, which then says it could not restore
    }
}

void tune_all(TuningBackend& backend, const std::vector<Target>& targets,
              const TuneRequest& request) {
    const bool write_tunables_after = request.nice || request.cpumask;
    // Read everything first: a failure here changes nothing.
    std::vector<Change> planned;
    for (const auto& target : targets) {
        Change change{&target, backend.get_superblock(target.fd), {}, false, false};
        change.before_tunables = tunables_before(backend, change.before);
        planned.push_back(std::move(change));
    }

    // `planned` does not move any more: each undo reads its Change as the step left it.
    Transaction transaction;
    std::vector<std::string> retired;
    for (auto& change : planned) {
        const Target& target = *change.target;
        try {
            if (request.cgroup) {
                backend.tune_cgroup(target.fd, *request.cgroup);
            } else {
                backend.tune(target.fd, request.mode);
            }
            // Until we know better, assume it changed: undoing a change that did not happen
            // is harmless, missing one is not.
            change.state_changed = true;
            transaction.done(target.path, [&backend, &change] { return undo(backend, change); });
            const auto after = backend.get_superblock(target.fd);
            // The kernel does nothing when the mode is already the one asked for.
            change.state_changed = setup_changed(change.before, after);
            if (const auto leaf = leaf_retired(change.before, after)) {
                retired.push_back(*leaf);
            }
            if (!write_tunables_after) {
                continue;
            }
            if (!after || after->mode != Mode::unbound || !after->workqueue ||
                after->workqueue->empty()) {
                throw Failure("the queue is not unbound, so it has no nice or cpumask");
            }
            change.tunables_written = true;
            if (request.cpumask) {
                backend.write_cpumask(*after->workqueue, *request.cpumask);
            }
            if (request.nice) {
                backend.write_nice(*after->workqueue, *request.nice);
            }
        } catch (const std::exception& e) {
            roll_back(transaction, targets, "tune", target, explain(e));
        }
    }
    // Done: a leaf a switch retired is waited for after every change, as after an untune.
    wait_leaves_gone(backend, retired);
}

void untune_all(TuningBackend& backend, const std::vector<Target>& targets) {
    std::vector<Change> planned;
    std::vector<std::string> not_tuned;
    for (const auto& target : targets) {
        Change change{&target, backend.get_superblock(target.fd), {}, true, false};
        if (!change.before) {
            not_tuned.push_back(target.path);
            continue;
        }
        change.before_tunables = tunables_before(backend, change.before);
        planned.push_back(std::move(change));
    }
    if (!not_tuned.empty()) {
        std::string report;
        for (const auto& path : not_tuned) {
            report += fmt::format("{}: not tuned\n", path);
        }
        throw Failure(report + "nothing was changed");
    }

    Transaction transaction;
    std::vector<std::string> retired;
    for (auto& change : planned) {
        try {
            backend.untune(change.target->fd);
            transaction.done(change.target->path,
                             [&backend, &change] { return undo(backend, change); });
            if (const auto leaf = leaf_retired(change.before, std::nullopt)) {
                retired.push_back(*leaf);
            }
        } catch (const std::exception& e) {
            roll_back(transaction, targets, "untune", *change.target, explain(e));
        }
    }
    // Only after every untune: the module removes the leaves meanwhile, all at once.
    wait_leaves_gone(backend, retired);
}

} // namespace diowq::commands
