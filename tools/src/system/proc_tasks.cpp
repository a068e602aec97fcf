// SPDX-License-Identifier: GPL-2.0
#include "system/proc_tasks.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::sys {

namespace {

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

template <typename T>
T field(const std::vector<std::string_view>& fields, std::size_t number_in_man_page) {
    // fields[0] is field 3 (state): the first after the comm.
    const std::size_t index = number_in_man_page - 3;
    if (index >= fields.size()) {
        throw std::invalid_argument(fmt::format("stat line without field {}", number_in_man_page));
    }
    const auto value = number<T>(fields[index]);
    if (!value) {
        throw std::invalid_argument(
            fmt::format("stat field {} is '{}'", number_in_man_page, fields[index]));
    }
    return *value;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

template <typename T>
std::optional<T> number_of_name(const std::filesystem::path& path) {
    return number<T>(path.filename().string());
}

} // namespace

TaskStat parse_task_stat(std::string_view text) {
    const auto open = text.find('(');
    const auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        throw std::invalid_argument("stat line without (comm)");
    }
    TaskStat stat;
    std::string_view pid = text.substr(0, open);
    while (!pid.empty() && pid.back() == ' ') {
        pid.remove_suffix(1);
    }
    const auto parsed_pid = number<pid_t>(pid);
    if (!parsed_pid) {
        throw std::invalid_argument(fmt::format("stat line with pid '{}'", pid));
    }
    stat.pid = *parsed_pid;
    stat.comm = std::string(text.substr(open + 1, close - open - 1));
    std::vector<std::string_view> fields;
    std::string_view rest = text.substr(close + 1);
    while (!rest.empty()) {
        const auto start = rest.find_first_not_of(" \n");
        if (start == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(start);
        const auto end = std::min(rest.find_first_of(" \n"), rest.size());
        fields.push_back(rest.substr(0, end));
        rest.remove_prefix(end);
    }
    if (fields.empty() || fields[0].size() != 1) {
        throw std::invalid_argument("stat line without a state");
    }
    stat.state = fields[0][0];
    stat.flags = field<std::uint32_t>(fields, 9);
    stat.utime = field<std::uint64_t>(fields, 14);
    stat.stime = field<std::uint64_t>(fields, 15);
    stat.nice = field<int>(fields, 19);
    stat.processor = field<unsigned>(fields, 39);
    return stat;
}

std::optional<std::uint64_t> parse_schedstat_runtime(std::string_view text) {
    const auto end = std::min(text.find_first_of(" \n"), text.size());
    return number<std::uint64_t>(text.substr(0, end));
}

std::vector<TaskSample> read_tasks(const std::string& proc) {
    namespace fs = std::filesystem;
    static const long ticks_per_second = sysconf(_SC_CLK_TCK);
    const std::uint64_t ns_per_tick =
        ticks_per_second > 0 ? 1'000'000'000u / static_cast<std::uint64_t>(ticks_per_second)
                             : 10'000'000u;
    std::vector<TaskSample> tasks;
    std::error_code error;
    fs::directory_iterator processes(proc, error);
    if (error) {
        throw Failure(fmt::format("cannot list {}: {}", proc, error.message()));
    }
    for (const auto& process : processes) {
        const auto tgid = number_of_name<pid_t>(process.path());
        if (!tgid) {
            continue;
        }
        std::error_code gone;
        for (const auto& task : fs::directory_iterator(process.path() / "task", gone)) {
            const auto tid = number_of_name<pid_t>(task.path());
            if (!tid) {
                continue;
            }
            const std::string stat_text = read_file(task.path() / "stat");
            if (stat_text.empty()) {
                continue; // exited meanwhile
            }
            TaskStat stat;
            try {
                stat = parse_task_stat(stat_text);
            } catch (const std::invalid_argument&) {
                continue;
            }
            auto runtime = parse_schedstat_runtime(read_file(task.path() / "schedstat"));
            if (!runtime) {
                runtime = (stat.utime + stat.stime) * ns_per_tick;
            }
            tasks.push_back({*tid, *tgid, std::move(stat.comm), stat.processor, stat.nice,
                             stat.kernel_thread(), *runtime});
        }
    }
    std::sort(tasks.begin(), tasks.end(),
              [](const TaskSample& a, const TaskSample& b) { return a.tid < b.tid; });
    return tasks;
}

} // namespace diowq::sys
