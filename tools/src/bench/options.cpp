// SPDX-License-Identifier: GPL-2.0
#include "bench/options.hpp"

#include <algorithm>

namespace diowq::bench {

std::optional<Layout> parse_layout(std::string_view name) {
    if (name == "write") {
        return Layout::write;
    }
    if (name == "fallocate") {
        return Layout::fallocate;
    }
    return std::nullopt;
}

std::string layout_name(Layout layout) {
    return layout == Layout::write ? "write" : "fallocate";
}

unsigned auto_weight(unsigned cpus) {
    return std::clamp(100 * std::max(cpus, 1u), 1u, 10000u);
}

} // namespace diowq::bench
