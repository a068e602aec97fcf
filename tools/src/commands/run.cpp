// SPDX-License-Identifier: GPL-2.0
#include "commands/run.hpp"

#include <cerrno>
#include <sstream>

#include <fmt/format.h>

#include "commands/commands.hpp"
#include "errors.hpp"
#include "netlink/extack.hpp"
#include "netlink/message.hpp"

namespace diowq::commands {

namespace {

void print_lines(std::ostream& err, const std::string& text) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        err << "diowqctl: " << line << '\n';
    }
}

template <typename... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
// Spelled out for compilers without aggregate deduction (clang 14).
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

} // namespace

std::string explain(const std::exception& error) {
    if (const auto* kernel = dynamic_cast<const nl::KernelError*>(&error)) {
        if (kernel->error() == EPERM || kernel->error() == EACCES) {
            // The module's own check (CAP_SYS_ADMIN) says why; genetlink's, which runs first
            // (GENL_ADMIN_PERM: CAP_NET_ADMIN), says nothing.
            return fmt::format("{}{}; run diowqctl as root", kernel->what(),
                               kernel->kernel_message().empty()
                                   ? ": changing diowq needs CAP_NET_ADMIN and CAP_SYS_ADMIN"
                                   : "");
        }
        return kernel->what();
    }
    if (dynamic_cast<const nl::ProtocolError*>(&error) != nullptr) {
        return fmt::format("unexpected answer from the diowq module: {}", error.what());
    }
    return error.what();
}

int run(const cli::Invocation& invocation, std::ostream& out, std::ostream& err) {
    const OutputSink sink{out, err, invocation.global};
    try {
        return std::visit(
            Overloaded{
                [&](const std::monostate&) -> int { throw UsageError("a command is required"); },
                [&](const cli::StatusOptions& o) { return run_status(o, sink); },
                [&](const cli::TuneOptions& o) { return run_tune(o, sink); },
                [&](const cli::UntuneOptions& o) { return run_untune(o, sink); },
                [&](const cli::AutoOptions& o) { return run_auto(o, sink); },
                [&](const cli::MonitorOptions& o) { return run_monitor(o, sink); },
                [&](const cli::VersionOptions& o) { return run_version(o, sink); },
                [&](const bench::BenchOptions& o) { return run_bench(o, sink); },
                [&](const cli::ApplyOptions& o) { return run_apply(o, sink); },
                [&](const cli::WatchOptions& o) { return run_watch(o, sink); },
                [&](const cli::UnwatchOptions& o) { return run_unwatch(o, sink); },
                [&](const cli::TopOptions& o) { return run_top(o, sink); },
                [&](const cli::DiagnoseOptions& o) { return run_diagnose(o, sink); },
            },
            invocation.command);
    } catch (const UsageError& e) {
        print_lines(err, e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        out.flush();
        print_lines(err, explain(e));
        return exit_failed;
    }
}

} // namespace diowq::commands
