// SPDX-License-Identifier: GPL-2.0
// Where a command writes: stdout for results (text or JSON, per the global options), stderr for
// everything else.
#pragma once

#include <ostream>
#include <string>

#include "cli/invocation.hpp"
#include "netlink/client.hpp"
#include "output/json.hpp"

namespace diowq::commands {

struct OutputSink {
    std::ostream& out;
    std::ostream& err;
    cli::GlobalOptions options;

    bool json() const { return options.json; }
    void print_json(const json::Value& value) const { out << value.dump(options.pretty) << '\n'; }
    void print_text(const std::string& text) const { out << text; }

    // Connects to the module; what the kernel says when it accepts a request goes to stderr.
    nl::DiowqClient connect() const {
        auto client = nl::DiowqClient::connect();
        client.on_warning(
            [this](const std::string& message) { err << "diowqctl: kernel: " << message << '\n'; });
        return client;
    }
};

} // namespace diowq::commands
