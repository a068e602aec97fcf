// SPDX-License-Identifier: GPL-2.0
#include "commands/watch_change.hpp"

#include <exception>

#include <fmt/format.h>

#include "commands/run.hpp"
#include "commands/transaction.hpp"
#include "errors.hpp"

namespace diowq::commands {

void change_watches(const std::vector<const sys::MountRoot*>& roots, const WatchChange& change) {
    Transaction transaction;
    for (const sys::MountRoot* root : roots) {
        try {
            change.apply(root->fd.get());
            transaction.done(root->path, [&change, root] {
                change.undo(root->fd.get());
                return change.undone;
            });
        } catch (const std::exception& e) {
            std::string message = fmt::format("{}: {}", root->path, explain(e));
            if (transaction.empty()) {
                throw Failure(message + "\nnothing was changed");
            }
            for (const auto& undone : transaction.roll_back()) {
                message +=
                    undone.ok ? fmt::format("\n{}: {} (rolled back)", undone.subject, undone.detail)
                              : fmt::format("\n{}: {}, the rollback failed: {}", undone.subject,
                                            change.kept, undone.detail);
            }
            throw Failure(message);
        }
    }
}

} // namespace diowq::commands
