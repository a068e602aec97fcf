// SPDX-License-Identifier: GPL-2.0
#include "bench/options.hpp"

#include <algorithm>
#include <utility>

namespace diowq::bench {

namespace {

constexpr std::pair<Pattern, std::string_view> pattern_names[] = {
    {Pattern::overwrite, "overwrite"},
    {Pattern::unwritten, "unwritten"},
    {Pattern::append, "append"},
    {Pattern::dsync, "dsync"},
};

} // namespace

std::optional<Pattern> parse_pattern(std::string_view name) {
    for (const auto& [pattern, text] : pattern_names) {
        if (name == text) {
            return pattern;
        }
    }
    return std::nullopt;
}

std::string pattern_name(Pattern pattern) {
    for (const auto& [p, text] : pattern_names) {
        if (p == pattern) {
            return std::string(text);
        }
    }
    return "?";
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
