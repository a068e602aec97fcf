// SPDX-License-Identifier: GPL-2.0
#include "commands/commands.hpp"
#include "netlink/client.hpp"
#include "output/render.hpp"

namespace diowq::commands {

namespace {

void print(const VersionInfo& info, const OutputSink& sink) {
    if (sink.json()) {
        sink.print_json(render::version_json(info));
    } else {
        sink.print_text(render::version_text(info));
    }
}

} // namespace

// Prints what it knows before failing: the tool's version is worth having even when the module
// is missing or speaks another family version.
int run_version(const cli::VersionOptions&, const OutputSink& sink) {
    VersionInfo info{DIOWQ_VERSION, std::nullopt, std::nullopt};
    nl::GenlSocket socket;
    const auto family = nl::lookup_family(socket, DIOWQ_GENL_NAME);
    if (!family) {
        print(info, sink);
        throw nl::ModuleNotLoaded();
    }
    info.family_version = family->version;
    if (family->version != DIOWQ_GENL_VERSION) {
        print(info, sink);
        throw nl::FamilyVersionMismatch(family->version);
    }
    auto client = sink.connect();
    info.module = client.get_config().module_version;
    print(info, sink);
    return exit_ok;
}

} // namespace diowq::commands
