// SPDX-License-Identifier: GPL-2.0
#include "commands/apply_transaction.hpp"

#include <exception>
#include <optional>

#include <fmt/format.h>

#include "commands/run.hpp"
#include "commands/transaction.hpp"
#include "errors.hpp"

namespace diowq::commands {

namespace {

struct Done {
    const MountStep* step = nullptr;
    std::optional<SuperblockStatus> before;
    std::optional<sys::WorkqueueTunables> before_tunables;
};

bool same_queue(const std::optional<SuperblockStatus>& a,
                const std::optional<SuperblockStatus>& b) {
    return a && b && !setup_changed(a, b);
}

// Puts one mount back as it was; returns what was done ("" when it is as it was).
std::string undo(TuningBackend& backend, const Done& done) {
    const int fd = done.step->target.fd;
    const auto now = backend.get_superblock(fd);
    if (same_queue(done.before, now)) {
        return {};
    }
    if (!done.before) {
        backend.untune(fd);
        return "untuned it again";
    }
    tune_as_before(backend, fd, *done.before);
    std::string what = fmt::format("tuned it again in mode {}",
                                   done.before->mode ? mode_name(*done.before->mode) : "?");
    const auto after = backend.get_superblock(fd);
    if (done.before_tunables && after && after->workqueue) {
        backend.write_cpumask(*after->workqueue, done.before_tunables->cpumask);
        backend.write_nice(*after->workqueue, done.before_tunables->nice);
        what += ", with its old nice and cpumask";
    }
    return what;
}

// tune_all's report ends with "nothing was changed" about its own target; ours says it for all.
std::string without_last_line(std::string text, const std::string& line) {
    const std::string suffix = "\n" + line;
    if (text.size() >= suffix.size() &&
        text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
        text.erase(text.size() - suffix.size());
    }
    return text;
}

// Undoes what this run did and throws the failure's report.
[[noreturn]] void roll_back(Transaction& transaction, std::string report) {
    const auto undone = transaction.roll_back();
    report += rollback_lines(undone);
    const auto left = left_changed(undone);
    report += left.empty() ? "\nnothing was changed"
                           : fmt::format("\nleft changed: {}", join_list(left, " "));
    throw Failure(report);
}

std::string describe(const MountStep& step, const std::optional<SuperblockStatus>& before,
                     bool dry_run) {
    const std::string mode = mode_name(step.mode);
    if (before && before->mode == step.mode) {
        return fmt::format("{}: already tuned, {}", step.target.path, mode);
    }
    const std::string verb = dry_run ? "would tune" : "tuned";
    if (before && before->mode) {
        return fmt::format("{} {}: {} -> {}", verb, step.target.path, mode_name(*before->mode),
                           mode);
    }
    return fmt::format("{} {}: {}", verb, step.target.path, mode);
}

} // namespace

std::vector<std::string> apply_steps(TuningBackend& tuning, SettingsBackend& settings,
                                     const std::vector<MountStep>& mounts,
                                     const ConfigChange& change, bool dry_run) {
    std::vector<std::string> lines;
    Transaction transaction;
    for (const auto& step : mounts) {
        Done record{&step, tuning.get_superblock(step.target.fd), std::nullopt};
        lines.push_back(describe(step, record.before, dry_run));
        if (dry_run) {
            continue;
        }
        record.before_tunables = tunables_before(tuning, record.before);
        try {
            tune_all(tuning, {step.target},
                     TuneRequest{step.mode, std::nullopt, std::nullopt, std::nullopt});
        } catch (const std::exception& e) {
            roll_back(transaction, without_last_line(explain(e), "nothing was changed"));
        }
        transaction.done(step.target.path, [&tuning, record] { return undo(tuning, record); });
    }
    if (dry_run || (!change.default_mode && !change.auto_fstypes)) {
        return lines;
    }
    try {
        settings.set_config(change);
    } catch (const std::exception& e) {
        roll_back(transaction, fmt::format("setting the module's settings: {}", explain(e)));
    }
    return lines;
}

} // namespace diowq::commands
