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

std::string latency_plot_path(const std::string& plot_file) {
    constexpr std::string_view svg = ".svg";
    const std::string_view path = plot_file;
    const auto slash = path.rfind('/');
    const auto name_start = slash == std::string_view::npos ? 0 : slash + 1;
    if (path.size() > name_start + svg.size() && path.ends_with(svg)) {
        return std::string(path.substr(0, path.size() - svg.size())) + "-latency.svg";
    }
    return plot_file + "-latency.svg";
}

} // namespace diowq::bench
