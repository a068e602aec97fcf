// SPDX-License-Identifier: GPL-2.0
#include "commands/latency_session.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "latency/queue.hpp"
#include "netlink/client.hpp"
#include "system/cpulist.hpp"

namespace diowq::commands {

namespace {

std::optional<std::string> first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) {
        return std::nullopt;
    }
    return line;
}

// The kernel name of a block device ("vdb", "sda1"): the s_id of a filesystem on it.
std::optional<std::string> block_device_name(DeviceNumber dev) {
    std::error_code error;
    const auto target = std::filesystem::read_symlink(
        fmt::format("/sys/dev/block/{}:{}", dev.major, dev.minor), error);
    if (error || target.filename().empty()) {
        return std::nullopt;
    }
    return target.filename().string();
}

} // namespace

namespace {

bpf::DispatchProbe pinned_or_new(bool& attached_here) {
    if (auto pinned = bpf::DispatchProbe::open_pinned()) {
        return std::move(*pinned);
    }
    attached_here = true;
    return bpf::DispatchProbe();
}

} // namespace

LatencySource::LatencySource()
    : probe_(pinned_or_new(attached_here_))
    , cpus_(sys::possible_cpus()) {}

void LatencySource::report_gaps(std::ostream& err) const {
    const auto& seen = probe_.coverage();
    if (!seen.completion_function) {
        err << "diowqctl: iomap_dio_complete_work is not in this kernel's symbols: no direct-I/O "
               "completion can be recognised, so none is measured\n";
    }
    if (!seen.filesystems) {
        err << "diowqctl: this kernel's BTF has no struct iomap_dio: completions are measured but "
               "not told apart by filesystem (all under device 0:0)\n";
    }
}

latency::Snapshot LatencySource::read(const std::optional<DeviceNumber>& only) {
    latest_ = probe_.read(true);
    if (!first_) {
        first_ = latest_;
    }
    return latency::snapshot_of(latest_, only, cpus_, sys::online_cpus(), true);
}

std::vector<latency::QueuedShare> LatencySource::shares() const {
    return latency::queued_shares(first_.value_or(latest_), latest_,
                                  probe_.coverage().all_completions);
}

std::vector<SuperblockStatus> tuned_superblocks(const OutputSink& sink) {
    if (!std::filesystem::exists("/sys/module/diowq")) {
        return {};
    }
    try {
        return sink.connect().list_superblocks();
    } catch (const nl::ModuleNotLoaded&) {
        return {}; // unloaded meanwhile
    }
}

std::optional<std::string> queue_of(const latency::CpuInterval& interval,
                                    const std::vector<SuperblockStatus>& tuned) {
    if (interval.queue && !interval.queue->empty()) {
        return interval.queue;
    }
    std::optional<std::string> comm;
    if (interval.worker_pid) {
        comm = first_line(fmt::format("/proc/{}/comm", *interval.worker_pid));
    }
    std::optional<std::string> device;
    if (interval.dev) {
        device = block_device_name(*interval.dev);
    }
    return latency::completion_queue(comm, interval.dev, tuned, device);
}

} // namespace diowq::commands
