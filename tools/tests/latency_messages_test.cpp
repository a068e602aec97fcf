// SPDX-License-Identifier: GPL-2.0
// The dispatch-latency messages: the exact bytes of WATCH, UNWATCH, GET_WATCH and GET_LATENCY
// requests, and the parsing of the replies the module sends (written byte by byte).
#include <gtest/gtest.h>

#include "diowq_requests.hpp"
#include "netlink/latency_messages.hpp"
#include "netlink_bytes.hpp"

namespace diowq::nl {
namespace {

using test::bytes_of;
using test::family_id;
using test::request;

TEST(LatencyRequests, WatchByFdDeviceOrAll) {
    EXPECT_EQ(bytes_of(build_watch_request(family_id, 4)),
              request(NLM_F_ACK, DIOWQ_CMD_WATCH).s32(DIOWQ_A_FD, 4).bytes());
    EXPECT_EQ(bytes_of(build_watch_device_request(family_id, {254, 16})),
              request(NLM_F_ACK, DIOWQ_CMD_WATCH)
                  .u32(DIOWQ_A_DEV_MAJOR, 254)
                  .u32(DIOWQ_A_DEV_MINOR, 16)
                  .bytes());
    EXPECT_EQ(bytes_of(build_watch_all_request(family_id)),
              request(NLM_F_ACK, DIOWQ_CMD_WATCH).flag(DIOWQ_A_ALL).bytes());
}

TEST(LatencyRequests, UnwatchByFdDeviceOrAll) {
    EXPECT_EQ(bytes_of(build_unwatch_request(family_id, 4)),
              request(NLM_F_ACK, DIOWQ_CMD_UNWATCH).s32(DIOWQ_A_FD, 4).bytes());
    EXPECT_EQ(bytes_of(build_unwatch_device_request(family_id, {8, 1})),
              request(NLM_F_ACK, DIOWQ_CMD_UNWATCH)
                  .u32(DIOWQ_A_DEV_MAJOR, 8)
                  .u32(DIOWQ_A_DEV_MINOR, 1)
                  .bytes());
    EXPECT_EQ(bytes_of(build_unwatch_all_request(family_id)),
              request(NLM_F_ACK, DIOWQ_CMD_UNWATCH).flag(DIOWQ_A_ALL).bytes());
}

TEST(LatencyRequests, GetWatchAndGetLatency) {
    EXPECT_EQ(bytes_of(build_get_watch_request(family_id)),
              request(NLM_F_ACK, DIOWQ_CMD_GET_WATCH).bytes());
    EXPECT_EQ(bytes_of(build_get_latency_request(family_id, false)),
              request(NLM_F_DUMP, DIOWQ_CMD_GET_LATENCY).bytes());
    EXPECT_EQ(bytes_of(build_get_latency_request(family_id, true)),
              request(NLM_F_DUMP, DIOWQ_CMD_GET_LATENCY).flag(DIOWQ_A_CLEAR_MAX).bytes());
}

TEST(WatchReply, EverythingWatched) {
    test::MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_WATCH)
        .attr(DIOWQ_A_PROBES, "\x01", 1)
        .attr(DIOWQ_A_WATCH_ALL, "\x01", 1)
        .begin_nest(DIOWQ_A_WATCHED)
        .u32(DIOWQ_A_DEV_MAJOR, 254)
        .u32(DIOWQ_A_DEV_MINOR, 16)
        .end_nest()
        .begin_nest(DIOWQ_A_WATCHED)
        .u32(DIOWQ_A_DEV_MAJOR, 8)
        .u32(DIOWQ_A_DEV_MINOR, 1)
        .end_nest()
        .flag(DIOWQ_A_PAD)
        .u64(DIOWQ_A_PROBE_NS, 123456)
        .u64(DIOWQ_A_PROBE_HITS, 99)
        .u64(DIOWQ_A_UNMATCHED, 2)
        .u32(DIOWQ_A_HIST_BUCKETS, 32);
    const WatchState state = parse_watch_reply(msg.bytes());
    EXPECT_TRUE(state.probes);
    EXPECT_TRUE(state.all);
    EXPECT_EQ(state.watched, (std::vector<DeviceNumber>{{254, 16}, {8, 1}}));
    EXPECT_EQ(state.probe_ns, 123456u);
    EXPECT_EQ(state.probe_hits, 99u);
    EXPECT_EQ(state.unmatched, 2u);
    EXPECT_EQ(state.hist_buckets, 32u);
    EXPECT_TRUE(state.any());
    EXPECT_TRUE(state.watches({8, 1}));
    EXPECT_FALSE(state.watches({8, 2}));
}

TEST(WatchReply, NothingWatched) {
    test::MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_WATCH)
        .attr(DIOWQ_A_PROBES, "\x00", 1)
        .attr(DIOWQ_A_WATCH_ALL, "\x00", 1);
    const WatchState state = parse_watch_reply(msg.bytes());
    EXPECT_EQ(state, WatchState{});
    EXPECT_FALSE(state.any());
}

TEST(WatchReply, WatchedWithoutMinorIsAProtocolError) {
    test::MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_WATCH)
        .begin_nest(DIOWQ_A_WATCHED)
        .u32(DIOWQ_A_DEV_MAJOR, 254)
        .end_nest();
    EXPECT_THROW(parse_watch_reply(msg.bytes()), ProtocolError);
}

LatencyBuckets some_histogram() {
    LatencyBuckets hist{};
    hist[0] = 1;
    hist[12] = 40;
    hist[21] = 3;
    hist[31] = 1;
    return hist;
}

TEST(LatencyReply, OneCpu) {
    const LatencyBuckets hist = some_histogram();
    test::MessageBytes msg(family_id, NLM_F_MULTI, 1);
    msg.genl(DIOWQ_CMD_GET_LATENCY)
        .u32(DIOWQ_A_CPU, 1)
        .attr(DIOWQ_A_CPU_ONLINE, "\x01", 1)
        .flag(DIOWQ_A_PAD)
        .u64(DIOWQ_A_COMPLETIONS, 45)
        .u64(DIOWQ_A_LATENCY_SUM_NS, 1'234'567)
        .u64(DIOWQ_A_LATENCY_MAX_NS, 1'500'000'000)
        .attr(DIOWQ_A_LATENCY_HIST, hist.data(), sizeof(hist))
        .u32(DIOWQ_A_DEV_MAJOR, 254)
        .u32(DIOWQ_A_DEV_MINOR, 16)
        .u32(DIOWQ_A_WORKER_PID, 812)
        .s32(DIOWQ_A_WORKER_NICE, -20);
    CpuLatencyCounters expected;
    expected.cpu = 1;
    expected.online = true;
    expected.completions = 45;
    expected.sum_ns = 1'234'567;
    expected.max_ns = 1'500'000'000;
    expected.hist = hist;
    expected.dev = DeviceNumber{254, 16};
    expected.worker_pid = 812u;
    expected.worker_nice = -20;
    EXPECT_EQ(parse_latency_reply(msg.bytes()), expected);
}

TEST(LatencyReply, CpuWithoutCompletionsYet) {
    test::MessageBytes msg(family_id, NLM_F_MULTI, 1);
    const LatencyBuckets zero{};
    msg.genl(DIOWQ_CMD_GET_LATENCY)
        .u32(DIOWQ_A_CPU, 3)
        .attr(DIOWQ_A_CPU_ONLINE, "\x00", 1)
        .u64(DIOWQ_A_COMPLETIONS, 0)
        .u64(DIOWQ_A_LATENCY_SUM_NS, 0)
        .u64(DIOWQ_A_LATENCY_MAX_NS, 0)
        .attr(DIOWQ_A_LATENCY_HIST, zero.data(), sizeof(zero));
    const auto counters = parse_latency_reply(msg.bytes());
    EXPECT_EQ(counters.cpu, 3u);
    EXPECT_FALSE(counters.online);
    EXPECT_EQ(counters.dev, std::nullopt);
    EXPECT_EQ(counters.worker_pid, std::nullopt);
    EXPECT_EQ(counters.worker_nice, std::nullopt);
}

TEST(LatencyReply, MoreBucketsFoldIntoTheLast) {
    std::vector<std::uint64_t> longer(34, 0);
    longer[5] = 2;
    longer[31] = 1;
    longer[32] = 4;
    longer[33] = 5;
    test::MessageBytes msg(family_id, NLM_F_MULTI, 1);
    msg.genl(DIOWQ_CMD_GET_LATENCY)
        .u32(DIOWQ_A_CPU, 0)
        .attr(DIOWQ_A_LATENCY_HIST, longer.data(), longer.size() * sizeof(std::uint64_t));
    const auto counters = parse_latency_reply(msg.bytes());
    EXPECT_EQ(counters.hist[5], 2u);
    EXPECT_EQ(counters.hist[31], 10u);
}

TEST(LatencyReply, RaggedHistogramIsAProtocolError) {
    const std::uint8_t twelve[12] = {};
    test::MessageBytes msg(family_id, NLM_F_MULTI, 1);
    msg.genl(DIOWQ_CMD_GET_LATENCY)
        .u32(DIOWQ_A_CPU, 0)
        .attr(DIOWQ_A_LATENCY_HIST, twelve, sizeof(twelve));
    EXPECT_THROW(parse_latency_reply(msg.bytes()), ProtocolError);
}

TEST(LatencyReply, WithoutCpuIsAProtocolError) {
    test::MessageBytes msg(family_id, NLM_F_MULTI, 1);
    msg.genl(DIOWQ_CMD_GET_LATENCY).u64(DIOWQ_A_COMPLETIONS, 1);
    EXPECT_THROW(parse_latency_reply(msg.bytes()), ProtocolError);
}

TEST(LatencyReply, WrongCommandIsAProtocolError) {
    test::MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_WATCH).u32(DIOWQ_A_CPU, 0);
    EXPECT_THROW(parse_latency_reply(msg.bytes()), ProtocolError);
}

} // namespace
} // namespace diowq::nl
