// SPDX-License-Identifier: GPL-2.0
#include "latency/from_dispatch.hpp"

#include <algorithm>
#include <chrono>
#include <map>

namespace diowq::latency {

Snapshot snapshot_of(const std::vector<bpf::DispatchCounters>& counters,
                     const std::optional<DeviceNumber>& only, const std::vector<unsigned>& cpus,
                     const std::vector<unsigned>& online, bool max_cleared) {
    Snapshot snapshot;
    snapshot.taken = std::chrono::steady_clock::now();
    snapshot.max_cleared = max_cleared;
    for (const unsigned cpu : cpus) {
        CpuLatencyCounters c;
        c.cpu = cpu;
        c.online = std::find(online.begin(), online.end(), cpu) != online.end();
        std::uint64_t most_queued = 0;
        for (const auto& fs : counters) {
            if (fs.cpu != cpu || (only && fs.dev != *only)) {
                continue;
            }
            // The completions are the histogram's: the program adds to `queued` and to a
            // bucket one after the other, and a reading between the two must not leave the
            // histogram and its count one apart.
            for (std::size_t b = 0; b < c.hist.size(); ++b) {
                c.hist[b] += fs.delay_hist[b];
                c.completions += fs.delay_hist[b];
            }
            c.sum_ns += fs.delay_sum_ns;
            c.max_ns = std::max(c.max_ns, fs.delay_max_ns);
            if (fs.queued > most_queued) {
                most_queued = fs.queued;
                c.dev = fs.dev;
                c.worker_pid = fs.worker_pid;
                c.worker_nice = fs.worker_nice;
                c.queue = fs.queue;
            }
        }
        snapshot.cpus.push_back(std::move(c));
    }
    return snapshot;
}

std::optional<double> QueuedShare::share() const {
    if (!completed || *completed == 0) {
        return std::nullopt;
    }
    return std::min(1.0, static_cast<double>(queued) / static_cast<double>(*completed));
}

std::vector<QueuedShare> queued_shares(const std::vector<bpf::DispatchCounters>& earlier,
                                       const std::vector<bpf::DispatchCounters>& later,
                                       bool all_counted) {
    struct Totals {
        std::uint64_t queued = 0;
        std::uint64_t completed = 0;
    };
    const auto sum = [](const std::vector<bpf::DispatchCounters>& counters) {
        std::map<DeviceNumber, Totals> totals;
        for (const auto& c : counters) {
            totals[c.dev].queued += c.queued;
            totals[c.dev].completed += c.completed;
        }
        return totals;
    };
    const auto before = sum(earlier);
    std::vector<QueuedShare> shares;
    for (const auto& [dev, after] : sum(later)) {
        Totals prior;
        if (const auto it = before.find(dev); it != before.end()) {
            prior = it->second;
        }
        QueuedShare share;
        share.dev = dev;
        share.queued = after.queued - std::min(after.queued, prior.queued);
        const std::uint64_t completed =
            after.completed - std::min(after.completed, prior.completed);
        if (all_counted) {
            share.completed = completed;
        }
        if (share.queued == 0 && completed == 0) {
            continue;
        }
        shares.push_back(share);
    }
    return shares;
}

} // namespace diowq::latency
