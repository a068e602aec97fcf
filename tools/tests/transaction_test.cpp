// SPDX-License-Identifier: GPL-2.0
// The all-or-nothing helper itself: a rollback undoes exactly the steps done, newest first, each
// once; an undo that fails is reported with its reason and does not stop the others.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "commands/transaction.hpp"
#include "errors.hpp"

namespace diowq::commands {
namespace {

// Steps that each append "do X" to a log, and whose undo appends "undo X"; the step named in
// `fail_at` fails before it takes effect, the undos named in `refuse_undo` throw.
struct Script {
    std::vector<std::string> log;
    std::string fail_at;
    std::vector<std::string> refuse_undo;

    // Runs the steps in order; on the first failure, rolls back and returns what it came to.
    std::vector<Undone> run(const std::vector<std::string>& steps) {
        Transaction transaction;
        for (const auto& step : steps) {
            if (step == fail_at) {
                log.push_back("fail " + step);
                return transaction.roll_back();
            }
            log.push_back("do " + step);
            transaction.done(step, [this, step] {
                log.push_back("undo " + step);
                for (const auto& refused : refuse_undo) {
                    if (refused == step) {
                        throw Failure("cannot undo " + step);
                    }
                }
                return "undid " + step;
            });
        }
        return {};
    }
};

TEST(Transaction, AFailureMidwayUndoesTheDoneStepsNewestFirst) {
    Script script;
    script.fail_at = "c";
    const auto undone = script.run({"a", "b", "c", "d"});
    EXPECT_EQ(script.log, (std::vector<std::string>{"do a", "do b", "fail c", "undo b", "undo a"}));
    EXPECT_EQ(undone, (std::vector<Undone>{{"b", true, "undid b"}, {"a", true, "undid a"}}));
    EXPECT_TRUE(left_changed(undone).empty());
    EXPECT_EQ(rollback_lines(undone), "\nrolled back b: undid b\nrolled back a: undid a");
}

TEST(Transaction, AFailureFirstUndoesNothing) {
    Script script;
    script.fail_at = "a";
    const auto undone = script.run({"a", "b"});
    EXPECT_EQ(script.log, (std::vector<std::string>{"fail a"}));
    EXPECT_TRUE(undone.empty());
    EXPECT_EQ(rollback_lines(undone), "");
}

TEST(Transaction, AFailingUndoIsReportedAndTheOthersStillRun) {
    Script script;
    script.fail_at = "d";
    script.refuse_undo = {"b"};
    const auto undone = script.run({"a", "b", "c", "d"});
    EXPECT_EQ(script.log, (std::vector<std::string>{"do a", "do b", "do c", "fail d", "undo c",
                                                    "undo b", "undo a"}));
    EXPECT_EQ(undone,
              (std::vector<Undone>{
                  {"c", true, "undid c"}, {"b", false, "cannot undo b"}, {"a", true, "undid a"}}));
    EXPECT_EQ(left_changed(undone), std::vector<std::string>{"b"});
    EXPECT_EQ(rollback_lines(undone), "\nrolled back c: undid c\n"
                                      "could not roll back b: cannot undo b\n"
                                      "rolled back a: undid a");
}

TEST(Transaction, EachUndoRunsOnce) {
    Transaction transaction;
    int undos = 0;
    transaction.done("a", [&undos] {
        ++undos;
        return std::string();
    });
    EXPECT_FALSE(transaction.empty());
    EXPECT_EQ(transaction.roll_back(), (std::vector<Undone>{{"a", true, ""}}));
    EXPECT_TRUE(transaction.empty());
    EXPECT_TRUE(transaction.roll_back().empty());
    EXPECT_EQ(undos, 1);
}

TEST(Transaction, NothingToUndoIsNoReportLine) {
    EXPECT_EQ(rollback_lines({{"a", true, ""}, {"b", true, "untuned it again"}}),
              "\nrolled back b: untuned it again");
}

} // namespace
} // namespace diowq::commands
