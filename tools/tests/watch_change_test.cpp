// SPDX-License-Identifier: GPL-2.0
// watch and unwatch of several paths: all or nothing, in their own words. A fake plays the module.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>

#include <gtest/gtest.h>

#include "commands/watch_change.hpp"
#include "errors.hpp"

namespace diowq::commands {
namespace {

class WatchChangeTest : public testing::Test {
protected:
    void SetUp() override {
        for (const char* path : {"/a", "/b", "/c"}) {
            // Real fds (of /dev/null), as MountRoot closes what it holds.
            roots_.push_back(
                {path, sys::UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC)), 0, 0, "xfs"});
            path_of_[roots_.back().fd.get()] = path;
        }
        for (const auto& root : roots_) {
            all_.push_back(&root);
        }
    }

    WatchChange watching() {
        return {[this](int fd) { step("watch", fd); }, [this](int fd) { step("unwatch", fd); },
                "no longer watched", "still watched"};
    }

    void step(const std::string& what, int fd) {
        const std::string call = what + " " + path_of_.at(fd);
        log_.push_back(call);
        if (refuse_.count(call) > 0) {
            throw Failure("refused");
        }
    }

    std::string failure_of(const WatchChange& change) {
        try {
            change_watches(all_, change);
        } catch (const Failure& e) {
            return e.what();
        }
        return "no failure";
    }

    std::vector<sys::MountRoot> roots_;
    std::vector<const sys::MountRoot*> all_;
    std::map<int, std::string> path_of_;
    std::vector<std::string> log_;
    std::set<std::string> refuse_;
};

TEST_F(WatchChangeTest, AllSucceed) {
    change_watches(all_, watching());
    EXPECT_EQ(log_, (std::vector<std::string>{"watch /a", "watch /b", "watch /c"}));
}

TEST_F(WatchChangeTest, ALaterFailurePutsBackTheOthersNewestFirst) {
    refuse_ = {"watch /c"};
    EXPECT_EQ(failure_of(watching()), "/c: refused\n"
                                      "/b: no longer watched (rolled back)\n"
                                      "/a: no longer watched (rolled back)");
    EXPECT_EQ(log_, (std::vector<std::string>{"watch /a", "watch /b", "watch /c", "unwatch /b",
                                              "unwatch /a"}));
}

TEST_F(WatchChangeTest, AFirstFailureChangesNothing) {
    refuse_ = {"watch /a"};
    EXPECT_EQ(failure_of(watching()), "/a: refused\nnothing was changed");
    EXPECT_EQ(log_, std::vector<std::string>{"watch /a"});
}

TEST_F(WatchChangeTest, AFailedRollbackSaysWhatIsLeft) {
    refuse_ = {"watch /c", "unwatch /a"};
    EXPECT_EQ(failure_of(watching()), "/c: refused\n"
                                      "/b: no longer watched (rolled back)\n"
                                      "/a: still watched, the rollback failed: refused");
}

} // namespace
} // namespace diowq::commands
