// SPDX-License-Identifier: GPL-2.0
// diagnose and top without a kernel: the verdict and its line, the share of completions that
// were queued at all, the BPF counters as per-CPU snapshots, and what they print.
#include <sstream>

#include <gtest/gtest.h>

#include "commands/latency_session.hpp"
#include "latency/diagnosis.hpp"
#include "latency/from_dispatch.hpp"
#include "latency/histogram.hpp"
#include "output/latency_render.hpp"
#include "system/stop_signals.hpp"

namespace diowq {
namespace {

// Ctrl-C while top or diagnose runs is seen by sleep_for(), not by the default handler, and is
// gone once they are done: the watch they added is removed, and the process is not killed.
TEST(StopSignals, CtrlCEndsTheSleepAndIsConsumed) {
    {
        sys::StopSignals stop;
        EXPECT_FALSE(stop.stopped());
        EXPECT_TRUE(stop.sleep_for(std::chrono::milliseconds(1)));
        ASSERT_EQ(raise(SIGINT), 0);
        EXPECT_FALSE(stop.sleep_for(std::chrono::seconds(10)));
        EXPECT_TRUE(stop.stopped());
        EXPECT_EQ(stop.signal(), SIGINT);
    }
    SUCCEED(); // still alive: the signal was not delivered after the mask came back
}

// A report as assess() makes it, from delays.
latency::CpuReport report(std::uint32_t cpu, const std::vector<std::uint64_t>& delays,
                          std::uint64_t threshold = latency::default_threshold_ns) {
    latency::CpuInterval interval;
    interval.cpu = cpu;
    for (const auto ns : delays) {
        ++interval.hist[latency::bucket_of(ns)];
        interval.sum_ns += ns;
        interval.max_ns = std::max(interval.max_ns.value_or(0), ns);
    }
    interval.completions = delays.size();
    interval.max_exact = true;
    if (!delays.empty()) {
        interval.dev = DeviceNumber{254, 16};
        interval.worker_pid = 40u + cpu;
        interval.worker_nice = 0;
    }
    return latency::assess({interval}, 5.0, threshold).front();
}

std::vector<std::uint64_t> repeated(std::uint64_t ns, std::size_t n) {
    return std::vector<std::uint64_t>(n, ns);
}

latency::Contender fio_in(const std::string& cgroup, const std::optional<std::string>& top,
                          std::optional<std::uint32_t> weight) {
    return {812, "fio", cgroup, top, weight, 0.97};
}

TEST(Verdict, Idle) {
    const auto d = latency::conclude({report(0, {}), report(1, {})}, {}, 5, 1'000'000, {});
    EXPECT_EQ(d.verdict, latency::Verdict::idle);
    EXPECT_EQ(d.message, "idle: no direct-I/O write completions in 5 s");
}

TEST(Verdict, Ok) {
    auto fast = report(0, repeated(20'000, 100));
    auto slower = report(1, repeated(300'000, 50));
    EXPECT_FALSE(fast.starved);
    EXPECT_FALSE(slower.starved);
    const auto d = latency::conclude({fast, slower}, {}, 5, 1'000'000, {"/mnt/data"});
    EXPECT_EQ(d.verdict, latency::Verdict::ok);
    EXPECT_EQ(d.message, "ok: dio completions wait p99 at most 300 us (CPU 1, max 300 us) in 5 s, "
                         "under the 1.0 ms threshold");
}

TEST(Verdict, StarvedWithContenderInATopLevelGroup) {
    auto starved = report(1, repeated(2'000'000, 200));
    ASSERT_TRUE(starved.starved);
    starved.queue = "dio/vdb";
    starved.contender = fio_in("/kubepods", "/kubepods", 1000u);
    const auto d = latency::conclude({report(0, repeated(10'000, 10)), starved}, {}, 5, 1'000'000,
                                     {"/mnt/data"});
    EXPECT_EQ(d.verdict, latency::Verdict::starved);
    EXPECT_EQ(d.message,
              "starved: dio completions on CPU 1 wait p99 2.0 ms (max 2.0 ms) behind pid 812 "
              "(fio, 97% of the CPU) in /kubepods with cpu.weight 1000: tune this filesystem: "
              "diowqctl tune /mnt/data");
}

TEST(Verdict, ContenderDeeperRootOrUnknown) {
    auto deep = report(1, repeated(2'000'000, 10));
    deep.contender = fio_in("/kubepods/pod1", "/kubepods", 1000u);
    EXPECT_NE(latency::conclude({deep}, {}, 5, 1'000'000, {})
                  .message.find(
                      "in /kubepods/pod1 (under /kubepods, cpu.weight 1000): tune its filesystem: "
                      "diowqctl tune MOUNTPOINT"),
              std::string::npos);
    auto root = deep;
    root.contender = fio_in("/", std::nullopt, std::nullopt);
    EXPECT_NE(latency::conclude({root}, {}, 5, 1'000'000, {}).message.find("in the root cgroup:"),
              std::string::npos);
    auto none = deep;
    none.contender.reset();
    EXPECT_NE(latency::conclude({none}, {}, 5, 1'000'000, {})
                  .message.find("with no busy process seen on that CPU:"),
              std::string::npos);
    auto no_weight = deep;
    no_weight.contender = fio_in("/bench", "/bench", std::nullopt);
    EXPECT_NE(latency::conclude({no_weight}, {}, 5, 1'000'000, {})
                  .message.find("in /bench (no cpu.weight):"),
              std::string::npos);
}

TEST(Verdict, WorstCpuFirstOthersListed) {
    auto a = report(0, repeated(1'500'000, 10));
    auto b = report(3, repeated(6'000'000, 10));
    const auto d = latency::conclude({a, b}, {}, 5, 1'000'000, {"/a", "/b"});
    EXPECT_EQ(d.message.rfind("starved: dio completions on CPU 3 wait p99", 0), 0u) << d.message;
    EXPECT_NE(d.message.find(", and on CPU 0 p99 "), std::string::npos) << d.message;
    EXPECT_NE(d.message.find(": tune these filesystems: diowqctl tune /a /b"), std::string::npos);
}

TEST(Verdict, AlreadyOnDiowqsQueue) {
    auto starved = report(1, repeated(2'000'000, 10));
    starved.queue = "diowq-vdb";
    starved.worker_nice = -20;
    const auto d = latency::conclude({starved}, {}, 5, 1'000'000, {"/mnt/data"});
    EXPECT_NE(d.message.find("already run on diowq's queue diowq-vdb (nice -20)"),
              std::string::npos)
        << d.message;
}

TEST(Verdict, ThresholdIsAnOption) {
    EXPECT_FALSE(report(0, repeated(300'000, 10)).starved);
    EXPECT_TRUE(report(0, repeated(300'000, 10), 100'000).starved);
}

TEST(Verdict, StarvedDevicesWorstFirst) {
    auto a = report(0, repeated(1'500'000, 10));
    a.dev = DeviceNumber{8, 1};
    auto b = report(1, repeated(6'000'000, 10));
    auto c = report(2, repeated(3'000'000, 10));
    EXPECT_EQ(latency::starved_devices({a, b, c}), (std::vector<DeviceNumber>{{254, 16}, {8, 1}}));
}

TEST(DiagnoseOutput, JsonShape) {
    auto starved = report(1, {2'000'000});
    starved.queue = "dio/vdb";
    starved.contender = fio_in("/kubepods", "/kubepods", 1000u);
    const auto d = latency::conclude({report(0, {}), starved}, {}, 5, 1'000'000, {"/mnt/data"});
    const std::string zeros = "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0";
    const std::string hist1 = "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0";
    EXPECT_EQ(
        render::diagnosis_json(d).dump(),
        R"({"verdict":"starved","seconds":5,"cpus":[)"
        R"({"cpu":0,"completions":0,"per_second":0,"p50_ns":null,"p99_ns":null,)"
        R"("max_ns":null,"hist":[)" +
            zeros +
            R"(],"queue":null,"worker_pid":null,"worker_nice":null,"contender":null},)"
            R"({"cpu":1,"completions":1,"per_second":0.2,"p50_ns":2000000,)"
            R"("p99_ns":2000000,"max_ns":2000000,"hist":[)" +
            hist1 +
            R"(],"queue":"dio/vdb","worker_pid":41,"worker_nice":0,)"
            R"("contender":{"pid":812,"comm":"fio","cgroup":"/kubepods","cpu_weight":1000}}],)"
            R"("filesystems":[],"message":")" +
            d.message + R"("})");
}

TEST(DiagnoseOutput, TextEndsWithTheVerdict) {
    auto starved = report(1, repeated(2'000'000, 3));
    starved.queue = "dio/vdb";
    starved.contender = fio_in("/kubepods/pod1", "/kubepods", 1000u);
    const auto d = latency::conclude({report(0, {}), starved}, {}, 5, 1'000'000, {"/mnt/data"});
    EXPECT_EQ(render::diagnosis_text(d),
              "CPU  COMPLETIONS     P50     P99     MAX  QUEUE    NICE  BUSIEST PROCESS (STARVED "
              "CPUS)\n"
              "  1            3  1.5 ms  2.0 ms  2.0 ms  dio/vdb     0  812 fio 97% /kubepods/pod1 "
              "weight 1000 (/kubepods)\n\n" +
                  d.message + "\n");
    EXPECT_EQ(render::diagnosis_text(latency::conclude({report(0, {})}, {}, 5, 1'000'000, {})),
              "idle: no direct-I/O write completions in 5 s\n");
    // Without a starved CPU, no contender column.
    EXPECT_EQ(render::diagnosis_text(
                  latency::conclude({report(0, repeated(30'000, 2))}, {}, 5, 1'000'000, {})),
              "CPU  COMPLETIONS    P50    P99    MAX  QUEUE  NICE\n"
              "  0            2  20 us  30 us  30 us  -         0\n\n"
              "ok: dio completions wait p99 at most 30 us (CPU 0, max 30 us) in 5 s, under the "
              "1.0 ms threshold\n");
}

TEST(TopOutput, Frame) {
    render::TopFrame frame;
    frame.seconds = 1.0;
    frame.watching = "all";
    latency::CpuSummary busy;
    busy.cpu = 1;
    busy.completions = 4820;
    busy.per_second = 4820;
    busy.p50_ns = 12'000;
    busy.p99_ns = 2'100'000;
    busy.max_ns = 9'800'000;
    latency::CpuSummary idle;
    frame.cpus = {{idle, true, std::nullopt, std::nullopt, std::nullopt, false},
                  {busy, true, "dio/vdb", 77u, 0, false}};
    EXPECT_EQ(render::top_frame_text(frame),
              "dio write completions per CPU: queued -> running, over 1.0 s; watching all\n\n"
              "CPU  COMPL/S    P50     P99     MAX  QUEUE    NICE\n"
              "  0        0      -       -       -  -           -\n"
              "  1     4820  12 us  2.1 ms  9.8 ms  dio/vdb     0\n");
    EXPECT_EQ(render::top_frame_json(frame).dump(),
              R"({"seconds":1,"watching":"all","cpus":[)"
              R"({"cpu":0,"online":true,"completions":0,"per_second":0,"p50_ns":null,)"
              R"("p99_ns":null,"max_ns":null,"queue":null,"worker_pid":null,"worker_nice":null},)"
              R"({"cpu":1,"online":true,"completions":4820,"per_second":4820,"p50_ns":12000,)"
              R"("p99_ns":2100000,"max_ns":9800000,"queue":"dio/vdb","worker_pid":77,)"
              R"("worker_nice":0}]})");
}

TEST(WatchOutput, State) {
    WatchState state;
    state.probes = true;
    state.all = true;
    state.watched = {{254, 16}};
    state.probe_ns = 3'400'000;
    state.probe_hits = 100'000;
    sys::MountInfoEntry mount;
    mount.major = 254;
    mount.minor = 16;
    mount.root = "/";
    mount.mount_point = "/mnt/data";
    mount.fstype = "xfs";
    EXPECT_EQ(render::watching_text(state, {mount}), "all, 254:16 (/mnt/data)");
    EXPECT_EQ(render::watching_text(WatchState{}, {}), "nothing");
    EXPECT_EQ(render::watch_state_text(state, {mount}),
              "watching            all, 254:16 (/mnt/data)\n"
              "program             attached\n"
              "queued completions  100000\n"
              "unmatched           0\n"
              "all completions     unknown\n"
              "missed              0\n");
    EXPECT_EQ(
        render::watch_state_json(state, {mount}).dump(),
        R"({"probes":true,"all":true,"watched":[{"dev":"254:16","mountpoints":["/mnt/data"]}],)"
        R"("probe_ns":3400000,"probe_hits":100000,"unmatched":0,"completed":null,"missed":0})");
    // Where every completion is counted: those that ran without a queue too.
    state.completed = 100'250;
    EXPECT_NE(render::watch_state_text(state, {mount}).find("all completions     100250\n"),
              std::string::npos);
    EXPECT_NE(render::watch_state_json(state, {mount}).dump().find(R"("completed":100250,)"),
              std::string::npos);
}

// 7.x completes pure overwrites inline: completions, none of them queued, is not "idle" and not
// "ok" either: nothing on this kernel waits for a worker, so nothing can be starved or cured.
TEST(Diagnosis, CompletionsThatRanInlineAreNotAffected) {
    latency::QueuedShare vdb;
    vdb.dev = {254, 16};
    vdb.queued = 0;
    vdb.completed = 12'000;
    const auto d = latency::conclude({report(0, {}), report(1, {})}, {vdb}, 5, 1'000'000, {});
    EXPECT_EQ(d.verdict, latency::Verdict::not_affected);
    EXPECT_EQ(d.message, "not-affected: 12000 direct-I/O write completions in 5 s ran without a "
                         "queue: this kernel does not queue this write pattern, so it cannot "
                         "starve it");
    EXPECT_NE(render::diagnosis_text(d).find("254:16           0            12000          0.0%"),
              std::string::npos)
        << render::diagnosis_text(d);
}

// Without the completion count (no fentry), nothing is known to have run inline: idle.
TEST(Diagnosis, UnknownCompletionsAreIdleNotInline) {
    latency::QueuedShare vdb;
    vdb.dev = {254, 16};
    const auto d = latency::conclude({report(0, {})}, {vdb}, 5, 1'000'000, {});
    EXPECT_EQ(d.verdict, latency::Verdict::idle);
}

bpf::DispatchCounters counters(unsigned cpu, DeviceNumber dev, std::uint64_t queued,
                               std::uint64_t completed, std::uint64_t each_ns) {
    bpf::DispatchCounters c;
    c.cpu = cpu;
    c.dev = dev;
    c.queued = queued;
    c.completed = completed;
    c.delay_sum_ns = queued * each_ns;
    c.delay_max_ns = each_ns;
    c.delay_hist[latency::bucket_of(each_ns)] = queued;
    c.worker_pid = 40 + cpu;
    c.worker_nice = -20;
    c.queue = "diowq-vdb";
    return c;
}

// Per CPU: the filesystems summed (or one picked), the last completion's fields from the one
// with the most completions, every possible CPU present with its online state.
TEST(FromDispatch, SnapshotSumsFilesystemsPerCpu) {
    const DeviceNumber vdb{254, 16};
    const DeviceNumber vdc{254, 32};
    auto small = counters(1, vdc, 3, 3, 1000);
    small.queue = "dio/vdc";
    const std::vector<bpf::DispatchCounters> all{counters(1, vdb, 10, 10, 4096), small};

    const auto every = latency::snapshot_of(all, std::nullopt, {0, 1, 2}, {0, 1}, true);
    ASSERT_EQ(every.cpus.size(), 3u);
    EXPECT_TRUE(every.max_cleared);
    EXPECT_EQ(every.cpus[0].completions, 0u);
    EXPECT_FALSE(every.cpus[0].dev.has_value());
    EXPECT_FALSE(every.cpus[2].online);
    const auto& cpu1 = every.cpus[1];
    EXPECT_EQ(cpu1.completions, 13u);
    EXPECT_EQ(cpu1.sum_ns, 10u * 4096 + 3u * 1000);
    EXPECT_EQ(cpu1.max_ns, 4096u);
    EXPECT_EQ(cpu1.hist[latency::bucket_of(4096)], 10u);
    EXPECT_EQ(cpu1.hist[latency::bucket_of(1000)], 3u);
    EXPECT_EQ(cpu1.dev, vdb);
    EXPECT_EQ(cpu1.queue, "diowq-vdb");
    EXPECT_EQ(cpu1.worker_nice, -20);

    const auto only_vdc = latency::snapshot_of(all, vdc, {0, 1, 2}, {0, 1}, false);
    EXPECT_EQ(only_vdc.cpus[1].completions, 3u);
    EXPECT_EQ(only_vdc.cpus[1].queue, "dio/vdc");
}

// A reading can land between the program's `queued` and histogram updates: the CPU's count is
// the histogram's, so the two always agree.
TEST(FromDispatch, CompletionsAreTheHistogramsEvenMidUpdate) {
    auto mid_update = counters(1, DeviceNumber{254, 16}, 10, 10, 4096);
    mid_update.queued = 11; // the next completion counted, its bucket not yet
    const auto snapshot = latency::snapshot_of({mid_update}, std::nullopt, {0, 1}, {0, 1}, false);
    EXPECT_EQ(snapshot.cpus[1].completions, 10u);
}

TEST(FromDispatch, QueuedSharesPerFilesystemBetweenReads) {
    const DeviceNumber vdb{254, 16};
    const DeviceNumber vdc{254, 32};
    const std::vector<bpf::DispatchCounters> before{counters(0, vdb, 100, 400, 1000)};
    const std::vector<bpf::DispatchCounters> after{counters(0, vdb, 150, 600, 1000),
                                                   counters(1, vdb, 50, 50, 1000),
                                                   counters(1, vdc, 0, 0, 1000)};
    const auto shares = latency::queued_shares(before, after, true);
    ASSERT_EQ(shares.size(), 1u); // vdc did nothing
    EXPECT_EQ(shares[0].dev, vdb);
    EXPECT_EQ(shares[0].queued, 100u);    // 150 + 50 - 100
    EXPECT_EQ(shares[0].completed, 250u); // 600 + 50 - 400
    EXPECT_DOUBLE_EQ(*shares[0].share(), 0.4);

    const auto uncounted = latency::queued_shares(before, after, false);
    EXPECT_FALSE(uncounted[0].completed.has_value());
    EXPECT_FALSE(uncounted[0].share().has_value());
}

} // namespace
} // namespace diowq
