// SPDX-License-Identifier: GPL-2.0
// All or nothing over several steps. Each step that took effect is recorded with how to undo it;
// when a later step fails, roll_back() undoes the recorded steps newest first (a later step may
// build on an earlier one), each once. A failing undo does not stop the others and is never
// swallowed: the caller gets one result per step, to tell the user exactly what was put back and
// what was left changed. Used by tune/untune, apply, watch and unwatch; each words its own report.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace diowq::commands {

// What undoing one step came to.
struct Undone {
    std::string subject; // what the step changed, as the report names it: a path
    bool ok = true;      // false: the undo failed and the step's change is still in place
    std::string detail;  // ok: what the undo did ("" when it found nothing to undo); else why not

    bool operator==(const Undone&) const = default;
};

class Transaction {
public:
    // Puts back what one step changed and says what it did, "" when there was nothing to put
    // back; throws when it cannot.
    using Undo = std::function<std::string()>;

    // Records a step that took effect (or may have: undoing a change that did not happen must be
    // harmless, missing one is not).
    void done(std::string subject, Undo undo);

    bool empty() const { return steps_.empty(); }

    // Undoes every recorded step, newest first, and forgets them; the failure of one undo is its
    // result (detail: the message the user reads), not an exception.
    std::vector<Undone> roll_back();

private:
    struct Step {
        std::string subject;
        Undo undo;
    };
    std::vector<Step> steps_;
};

// The subjects whose undo failed, in the order they were rolled back.
std::vector<std::string> left_changed(const std::vector<Undone>& undone);

// The lines tune, untune and apply add to their failure, each starting with a newline: "rolled
// back PATH: WHAT" per step that had something to undo, "could not roll back PATH: WHY" per failed
// undo.
std::string rollback_lines(const std::vector<Undone>& undone);

} // namespace diowq::commands
