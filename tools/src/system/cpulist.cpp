// SPDX-License-Identifier: GPL-2.0
#include "system/cpulist.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::sys {

namespace {

unsigned parse_cpu(std::string_view text, std::string_view list) {
    unsigned cpu = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), cpu);
    if (text.empty() || err != std::errc() || end != text.data() + text.size()) {
        throw std::invalid_argument(fmt::format("'{}' in '{}' is not a CPU number", text, list));
    }
    if (cpu > max_cpu) {
        throw std::invalid_argument(
            fmt::format("CPU {} is out of range (at most {})", cpu, max_cpu));
    }
    return cpu;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\n");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

} // namespace

std::vector<unsigned> parse_cpulist(std::string_view text) {
    const std::string_view list = trim(text);
    if (list.empty()) {
        throw std::invalid_argument("the CPU list is empty");
    }
    std::vector<unsigned> cpus;
    std::string_view rest = list;
    for (;;) {
        const auto comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        const auto dash = item.find('-');
        const unsigned first = parse_cpu(item.substr(0, dash), list);
        const unsigned last =
            dash == std::string_view::npos ? first : parse_cpu(item.substr(dash + 1), list);
        if (last < first) {
            throw std::invalid_argument(
                fmt::format("'{}' in '{}' is a reversed range", item, list));
        }
        for (unsigned cpu = first; cpu <= last; ++cpu) {
            cpus.push_back(cpu);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    return cpus;
}

std::string format_cpulist(const std::vector<unsigned>& cpus) {
    std::vector<std::string> ranges;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) {
            ++j;
        }
        ranges.push_back(i == j ? fmt::format("{}", cpus[i])
                                : fmt::format("{}-{}", cpus[i], cpus[j]));
        i = j + 1;
    }
    return fmt::format("{}", fmt::join(ranges, ","));
}

std::string cpumask_hex(const std::vector<unsigned>& cpus) {
    if (cpus.empty()) {
        return "0";
    }
    std::vector<std::uint32_t> words(cpus.back() / 32 + 1, 0);
    for (const unsigned cpu : cpus) {
        words[cpu / 32] |= std::uint32_t{1} << (cpu % 32);
    }
    // The kernel's bitmap parser reads words most significant first; all but the first padded.
    std::string mask = fmt::format("{:x}", words.back());
    for (auto word = words.rbegin() + 1; word != words.rend(); ++word) {
        mask += fmt::format(",{:08x}", *word);
    }
    return mask;
}

namespace {

std::vector<unsigned> read_cpulist_file(const std::string& file) {
    std::ifstream in(file);
    if (!in.is_open()) {
        throw Failure(fmt::format("cannot read {}", file));
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return parse_cpulist(text.str());
    } catch (const std::invalid_argument& e) {
        throw Failure(fmt::format("cannot read {}: {}", file, e.what()));
    }
}

} // namespace

std::vector<unsigned> possible_cpus(const std::string& sysfs_cpu_dir) {
    return read_cpulist_file(sysfs_cpu_dir + "/possible");
}

std::vector<unsigned> online_cpus(const std::string& sysfs_cpu_dir) {
    return read_cpulist_file(sysfs_cpu_dir + "/online");
}

void check_cpus_exist(const std::vector<unsigned>& wanted, const std::vector<unsigned>& possible) {
    std::vector<unsigned> missing;
    std::set_difference(wanted.begin(), wanted.end(), possible.begin(), possible.end(),
                        std::back_inserter(missing));
    if (!missing.empty()) {
        throw Failure(fmt::format("--cpus: {} {} {} not exist here (possible CPUs: {})",
                                  missing.size() == 1 ? "CPU" : "CPUs", format_cpulist(missing),
                                  missing.size() == 1 ? "does" : "do", format_cpulist(possible)));
    }
}

} // namespace diowq::sys
