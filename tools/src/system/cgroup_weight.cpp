// SPDX-License-Identifier: GPL-2.0
#include "system/cgroup_weight.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace diowq::sys {

namespace {

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

std::optional<std::string> parse_proc_cgroup_v2(std::string_view text) {
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('\n'), text.size());
        const std::string_view line = text.substr(0, end);
        if (line.starts_with("0::") && line.size() > 3) {
            return std::string(line.substr(3));
        }
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    return std::nullopt;
}

std::optional<std::uint32_t> parse_cpu_weight(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    std::uint32_t weight = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), weight);
    if (text.empty() || err != std::errc() || end != text.data() + text.size() || weight < 1 ||
        weight > 10000) {
        return std::nullopt;
    }
    return weight;
}

std::optional<std::string> top_level_cgroup(std::string_view path) {
    if (!path.starts_with("/")) {
        return std::nullopt;
    }
    path.remove_prefix(1);
    const std::string_view top = path.substr(0, std::min(path.find('/'), path.size()));
    if (top.empty() || top == "." || top == "..") {
        return std::nullopt;
    }
    return "/" + std::string(top);
}

std::optional<CgroupWeight> read_cgroup_weight(int pid, const std::string& cgroup2_root,
                                               const std::string& proc) {
    const auto text = read_whole(proc + "/" + std::to_string(pid) + "/cgroup");
    if (!text) {
        return std::nullopt;
    }
    auto path = parse_proc_cgroup_v2(*text);
    if (!path) {
        return std::nullopt;
    }
    CgroupWeight result{std::move(*path), std::nullopt, std::nullopt};
    result.weighted = top_level_cgroup(result.cgroup);
    if (result.weighted && !cgroup2_root.empty()) {
        if (const auto weight = read_whole(cgroup2_root + *result.weighted + "/cpu.weight")) {
            result.weight = parse_cpu_weight(*weight);
        }
    }
    return result;
}

} // namespace diowq::sys
