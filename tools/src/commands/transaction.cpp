// SPDX-License-Identifier: GPL-2.0
#include "commands/transaction.hpp"

#include <exception>
#include <utility>

#include <fmt/format.h>

#include "commands/run.hpp"

namespace diowq::commands {

void Transaction::done(std::string subject, Undo undo) {
    steps_.push_back({std::move(subject), std::move(undo)});
}

std::vector<Undone> Transaction::roll_back() {
    std::vector<Step> steps;
    steps.swap(steps_); // each undo runs once, even if the caller rolls back again
    std::vector<Undone> undone;
    for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
        try {
            undone.push_back({step->subject, true, step->undo()});
        } catch (const std::exception& e) {
            undone.push_back({step->subject, false, explain(e)});
        }
    }
    return undone;
}

std::vector<std::string> left_changed(const std::vector<Undone>& undone) {
    std::vector<std::string> subjects;
    for (const auto& step : undone) {
        if (!step.ok) {
            subjects.push_back(step.subject);
        }
    }
    return subjects;
}

std::string rollback_lines(const std::vector<Undone>& undone) {
    std::string lines;
    for (const auto& step : undone) {
        if (!step.ok) {
            lines += fmt::format("\ncould not roll back {}: {}", step.subject, step.detail);
        } else if (!step.detail.empty()) {
            lines += fmt::format("\nrolled back {}: {}", step.subject, step.detail);
        }
    }
    return lines;
}

} // namespace diowq::commands
