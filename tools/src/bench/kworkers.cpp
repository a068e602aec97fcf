// SPDX-License-Identifier: GPL-2.0
#include "bench/kworkers.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/resource.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::bench {

namespace {

std::string first_line(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

} // namespace

bool is_cpu_kworker(std::string_view comm, unsigned cpu) {
    const std::string prefix = fmt::format("kworker/{}:", cpu);
    if (!comm.starts_with(prefix)) {
        return false;
    }
    comm.remove_prefix(prefix.size());
    return !comm.empty() && comm.front() >= '0' && comm.front() <= '9';
}

int parse_stat_nice(std::string_view stat) {
    // The comm in parentheses may itself contain spaces and parentheses: skip to the last ')'.
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string_view::npos) {
        throw std::invalid_argument("no ')' in the stat line");
    }
    std::string_view rest = stat.substr(paren + 1);
    // After ") ": state is field 3, nice field 19: skip 16 fields.
    for (int field = 3; field < 19; ++field) {
        rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
        rest.remove_prefix(std::min(rest.find(' '), rest.size()));
    }
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    int nice = 0;
    const auto [end, err] = std::from_chars(rest.data(), rest.data() + rest.size(), nice);
    if (err != std::errc() || end == rest.data()) {
        throw std::invalid_argument("the stat line has no nice field");
    }
    return nice;
}

std::vector<Kworker> find_cpu_kworkers(unsigned cpu, const std::string& proc) {
    std::vector<Kworker> found;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(proc, error)) {
        const std::string name = entry.path().filename().string();
        pid_t pid = 0;
        const auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (err != std::errc() || end != name.data() + name.size()) {
            continue;
        }
        const std::string comm = first_line(entry.path() / "comm");
        if (!is_cpu_kworker(comm, cpu)) {
            continue;
        }
        try {
            found.push_back({pid, comm, parse_stat_nice(first_line(entry.path() / "stat"))});
        } catch (const std::invalid_argument&) {
            continue; // gone meanwhile
        }
    }
    if (error) {
        throw Failure(fmt::format("cannot list {}: {}", proc, error.message()));
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.pid < b.pid; });
    return found;
}

KworkerRenice::KworkerRenice(unsigned cpu, int nice, std::string proc)
    : cpu_(cpu)
    , nice_(nice)
    , proc_(std::move(proc)) {
    for (const auto& worker : find_cpu_kworkers(cpu_, proc_)) {
        if (worker.nice != nice_ && setpriority(PRIO_PROCESS, id_t(worker.pid), nice_) == 0) {
            changed_.push_back(worker);
        }
    }
}

KworkerRenice::~KworkerRenice() {
    for (const auto& worker : changed_) {
        // A worker that exited meanwhile is fine to miss.
        setpriority(PRIO_PROCESS, id_t(worker.pid), worker.nice);
    }
}

std::size_t KworkerRenice::stragglers() const {
    const auto now = find_cpu_kworkers(cpu_, proc_);
    return static_cast<std::size_t>(std::count_if(
        now.begin(), now.end(), [this](const Kworker& w) { return w.nice != nice_; }));
}

} // namespace diowq::bench
