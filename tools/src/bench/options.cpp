// SPDX-License-Identifier: GPL-2.0
#include "bench/options.hpp"

#include <algorithm>

#include "bench/name_table.hpp"

namespace diowq::bench {

namespace {

constexpr NameEntry<Pattern> pattern_names[] = {
    {"overwrite", Pattern::overwrite},
    {"unwritten", Pattern::unwritten},
    {"append", Pattern::append},
    {"dsync", Pattern::dsync},
};

} // namespace

std::optional<Pattern> parse_pattern(std::string_view name) {
    return value_named(pattern_names, name);
}

std::string pattern_name(Pattern pattern) {
    return name_of(pattern_names, pattern);
}

std::optional<Pattern> parse_layout(std::string_view name) {
    if (name == "write") {
        return Pattern::overwrite;
    }
    if (name == "fallocate") {
        return Pattern::unwritten;
    }
    return std::nullopt;
}

std::string layout_name(Pattern pattern) {
    switch (pattern) {
    case Pattern::unwritten:
        return "fallocate";
    case Pattern::append:
        return "empty";
    case Pattern::overwrite:
    case Pattern::dsync:
        break;
    }
    return "write";
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
