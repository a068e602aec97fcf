// SPDX-License-Identifier: GPL-2.0
#include "latency/queue.hpp"

#include <uapi/diowq.h>

namespace diowq::latency {

std::optional<std::string> worker_queue(std::string_view comm) {
    constexpr std::string_view prefix = "kworker/";
    if (comm.substr(0, prefix.size()) != prefix) {
        return std::nullopt;
    }
    // "kworker/1:2-dio/vdb": the queue follows the first '+' or '-' after the worker's name,
    // which itself is digits, ':' or 'u', and 'H'.
    const auto mark = comm.find_first_of("+-", prefix.size());
    if (mark == std::string_view::npos || mark + 1 >= comm.size()) {
        return std::nullopt;
    }
    return std::string(comm.substr(mark + 1));
}

bool is_dio_queue(std::string_view queue) {
    constexpr std::string_view kernel = "dio/";
    constexpr std::string_view ours = DIOWQ_WQ_PREFIX;
    return (queue.size() > kernel.size() && queue.substr(0, kernel.size()) == kernel) ||
           (queue.size() > ours.size() && queue.substr(0, ours.size()) == ours);
}

std::optional<std::string> completion_queue(const std::optional<std::string>& worker_comm,
                                            const std::optional<DeviceNumber>& dev,
                                            const std::vector<SuperblockStatus>& tuned,
                                            const std::optional<std::string>& device_name) {
    if (worker_comm) {
        if (auto queue = worker_queue(*worker_comm); queue && is_dio_queue(*queue)) {
            return queue;
        }
    }
    if (!dev) {
        return std::nullopt;
    }
    for (const auto& sb : tuned) {
        if (sb.dev_major == dev->major && sb.dev_minor == dev->minor && sb.workqueue) {
            return sb.workqueue;
        }
    }
    if (device_name) {
        return "dio/" + *device_name;
    }
    return std::nullopt;
}

} // namespace diowq::latency
