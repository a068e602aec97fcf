// SPDX-License-Identifier: GPL-2.0
#include "netlink/latency_messages.hpp"

#include <array>
#include <cstring>

#include <linux/netlink.h>
#include <netlink/attr.h>

#include <fmt/format.h>

#include "netlink/attributes.hpp"
#include "netlink/diowq_reply.hpp"

namespace diowq::nl {

namespace {

NlMessage device_request(std::uint16_t family_id, diowq_cmd cmd, DeviceNumber dev) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, cmd);
    msg.put_u32(DIOWQ_A_DEV_MAJOR, dev.major);
    msg.put_u32(DIOWQ_A_DEV_MINOR, dev.minor);
    return msg;
}

NlMessage fd_request(std::uint16_t family_id, diowq_cmd cmd, int mount_root_fd) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, cmd);
    msg.put_s32(DIOWQ_A_FD, mount_root_fd);
    return msg;
}

NlMessage all_request(std::uint16_t family_id, diowq_cmd cmd) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, cmd);
    msg.put_flag(DIOWQ_A_ALL);
    return msg;
}

DeviceNumber watched_device(const nlattr* nest) {
    std::array<nla_policy, DIOWQ_A_MAX + 1> policy{};
    policy[DIOWQ_A_DEV_MAJOR].type = NLA_U32;
    policy[DIOWQ_A_DEV_MINOR].type = NLA_U32;
    const auto table = parse_nested(nest, DIOWQ_A_MAX, policy.data(), "DIOWQ_A_WATCHED");
    const nlattr* major = table[DIOWQ_A_DEV_MAJOR];
    const nlattr* minor = table[DIOWQ_A_DEV_MINOR];
    if (major == nullptr || minor == nullptr) {
        throw ProtocolError("DIOWQ_A_WATCHED without DIOWQ_A_DEV_MAJOR and DIOWQ_A_DEV_MINOR");
    }
    return {nla_get_u32(const_cast<nlattr*>(major)), nla_get_u32(const_cast<nlattr*>(minor))};
}

LatencyBuckets histogram_of(const nlattr* attr) {
    const auto len = static_cast<std::size_t>(nla_len(attr));
    if (len % sizeof(std::uint64_t) != 0) {
        throw ProtocolError(
            fmt::format("DIOWQ_A_LATENCY_HIST is {} bytes, not a whole number of u64", len));
    }
    const auto* data = static_cast<const std::uint8_t*>(nla_data(attr));
    LatencyBuckets hist{};
    for (std::size_t i = 0; i < len / sizeof(std::uint64_t); ++i) {
        std::uint64_t count = 0;
        std::memcpy(&count, data + i * sizeof(count), sizeof(count));
        hist[std::min(i, hist.size() - 1)] += count;
    }
    return hist;
}

} // namespace

NlMessage build_watch_request(std::uint16_t family_id, int mount_root_fd) {
    return fd_request(family_id, DIOWQ_CMD_WATCH, mount_root_fd);
}

NlMessage build_watch_device_request(std::uint16_t family_id, DeviceNumber dev) {
    return device_request(family_id, DIOWQ_CMD_WATCH, dev);
}

NlMessage build_watch_all_request(std::uint16_t family_id) {
    return all_request(family_id, DIOWQ_CMD_WATCH);
}

NlMessage build_unwatch_request(std::uint16_t family_id, int mount_root_fd) {
    return fd_request(family_id, DIOWQ_CMD_UNWATCH, mount_root_fd);
}

NlMessage build_unwatch_device_request(std::uint16_t family_id, DeviceNumber dev) {
    return device_request(family_id, DIOWQ_CMD_UNWATCH, dev);
}

NlMessage build_unwatch_all_request(std::uint16_t family_id) {
    return all_request(family_id, DIOWQ_CMD_UNWATCH);
}

NlMessage build_get_watch_request(std::uint16_t family_id) {
    return start_request(family_id, NLM_F_ACK, DIOWQ_CMD_GET_WATCH);
}

NlMessage build_get_latency_request(std::uint16_t family_id, bool clear_max) {
    NlMessage msg = start_request(family_id, NLM_F_DUMP, DIOWQ_CMD_GET_LATENCY);
    if (clear_max) {
        msg.put_flag(DIOWQ_A_CLEAR_MAX);
    }
    return msg;
}

WatchState parse_watch_reply(std::span<const std::uint8_t> message) {
    const auto attrs = parse_reply(message, DIOWQ_CMD_GET_WATCH, "GET_WATCH reply");
    WatchState state;
    state.probes = attrs.u8(DIOWQ_A_PROBES).value_or(0) != 0;
    state.all = attrs.u8(DIOWQ_A_WATCH_ALL).value_or(0) != 0;
    for (const nlattr* nest : attrs.all(DIOWQ_A_WATCHED)) {
        state.watched.push_back(watched_device(nest));
    }
    state.probe_ns = attrs.u64(DIOWQ_A_PROBE_NS).value_or(0);
    state.probe_hits = attrs.u64(DIOWQ_A_PROBE_HITS).value_or(0);
    state.unmatched = attrs.u64(DIOWQ_A_UNMATCHED).value_or(0);
    state.hist_buckets = attrs.u32(DIOWQ_A_HIST_BUCKETS).value_or(DIOWQ_LATENCY_BUCKETS);
    return state;
}

CpuLatencyCounters parse_latency_reply(std::span<const std::uint8_t> message) {
    const auto attrs = parse_reply(message, DIOWQ_CMD_GET_LATENCY, "GET_LATENCY reply");
    const auto cpu = attrs.u32(DIOWQ_A_CPU);
    if (!cpu) {
        throw ProtocolError("GET_LATENCY reply without DIOWQ_A_CPU");
    }
    CpuLatencyCounters counters;
    counters.cpu = *cpu;
    counters.online = attrs.u8(DIOWQ_A_CPU_ONLINE).value_or(1) != 0;
    counters.completions = attrs.u64(DIOWQ_A_COMPLETIONS).value_or(0);
    counters.sum_ns = attrs.u64(DIOWQ_A_LATENCY_SUM_NS).value_or(0);
    counters.max_ns = attrs.u64(DIOWQ_A_LATENCY_MAX_NS).value_or(0);
    if (const nlattr* hist = attrs.get(DIOWQ_A_LATENCY_HIST)) {
        counters.hist = histogram_of(hist);
    }
    const auto major = attrs.u32(DIOWQ_A_DEV_MAJOR);
    const auto minor = attrs.u32(DIOWQ_A_DEV_MINOR);
    if (major && minor) {
        counters.dev = DeviceNumber{*major, *minor};
    }
    counters.worker_pid = attrs.u32(DIOWQ_A_WORKER_PID);
    counters.worker_nice = attrs.s32(DIOWQ_A_WORKER_NICE);
    return counters;
}

} // namespace diowq::nl
