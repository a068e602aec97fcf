// SPDX-License-Identifier: GPL-2.0
// The bench's view of the module's dispatch latency, from counters made up by hand: a run's
// window between two readings, the check of its completions against the engine's writes, the
// summary per configuration, the JSON keys, the table's columns and the latency chart.
#include <gtest/gtest.h>

#include "bench/dispatch.hpp"
#include "bench/plot.hpp"
#include "bench/report_json.hpp"
#include "bench/report_table.hpp"
#include "bench/summary.hpp"
#include "bench_support.hpp"
#include "latency/histogram.hpp"

namespace diowq::bench {
namespace {

CpuLatencyCounters counters(std::uint32_t cpu, std::uint64_t completions, std::size_t bucket,
                            std::uint64_t max_ns) {
    CpuLatencyCounters c;
    c.cpu = cpu;
    c.completions = completions;
    c.hist[bucket] = completions;
    c.sum_ns = completions * latency::bucket_low(bucket);
    c.max_ns = max_ns;
    return c;
}

DispatchMark mark(std::vector<CpuLatencyCounters> cpus, std::uint64_t probe_ns,
                  std::uint64_t probe_hits, std::uint64_t unmatched, double at_seconds,
                  bool cleared) {
    DispatchMark m;
    m.snapshot.cpus = std::move(cpus);
    m.snapshot.taken = std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(at_seconds)));
    m.snapshot.max_cleared = cleared;
    m.watch.probes = true;
    m.watch.all = true;
    m.watch.probe_ns = probe_ns;
    m.watch.probe_hits = probe_hits;
    m.watch.unmatched = unmatched;
    return m;
}

// A window in which `count` completions waited in `bucket` on `cpu` (none on the other CPU).
DispatchWindow window_of(unsigned cpu, std::size_t bucket, std::uint64_t count,
                         std::uint64_t probe_ns_each) {
    DispatchWindow w;
    w.seconds = 10;
    for (unsigned c = 0; c < 2; ++c) {
        latency::CpuInterval interval;
        interval.cpu = c;
        if (c == cpu) {
            interval.completions = count;
            interval.hist[bucket] = count;
            interval.sum_ns = count * latency::bucket_low(bucket);
            interval.max_ns = latency::bucket_low(bucket) + 1;
            interval.max_exact = true;
        }
        w.cpus.push_back(interval);
    }
    w.probe_ns = count * probe_ns_each;
    w.probe_hits = 2 * count;
    w.programs = {{"dq_queue_work", w.probe_ns / 4, count},
                  {"dq_execute_start", w.probe_ns * 3 / 4, count}};
    return w;
}

TEST(BenchDispatch, WindowBetweenTwoReadings) {
    const auto begin =
        mark({counters(0, 10, 10, 600), counters(1, 100, 11, 2000)}, 1000, 220, 1, 5.0, true);
    auto cpu1 = counters(1, 100, 11, 900'000);
    cpu1.completions += 1000;
    cpu1.hist[12] = 900; // [2048, 4096) ns
    cpu1.hist[20] = 100; // [524288, 1048576) ns
    cpu1.sum_ns += 900 * 3000 + 100 * 700'000;
    const auto end =
        mark({counters(0, 10, 10, 600), cpu1}, 1000 + 250'000, 220 + 2000, 4, 15.5, false);
    const DispatchWindow w = dispatch_window(begin, end);
    EXPECT_DOUBLE_EQ(w.seconds, 10.5);
    EXPECT_EQ(w.completions(), 1000u);
    EXPECT_EQ(w.completions_on(1), 1000u);
    EXPECT_EQ(w.completions_on(0), 0u);
    EXPECT_EQ(w.completions_on(7), 0u);
    EXPECT_EQ(w.unmatched, 3u);
    EXPECT_EQ(w.probe_hits, 2000u);
    EXPECT_EQ(w.probe_ns_per_completion(), 250.0);
    EXPECT_FALSE(w.restarted);
    EXPECT_FALSE(w.watch_lost);
    const auto hist = w.hist();
    EXPECT_EQ(hist[12], 900u);
    EXPECT_EQ(hist[20], 100u);
    EXPECT_EQ(hist[11], 0u);
    EXPECT_EQ(w.max_ns(), 900'000u); // exact: the first reading cleared it
    const auto p50 = w.percentile_ns(50);
    ASSERT_TRUE(p50);
    EXPECT_GE(*p50, 2048u);
    EXPECT_LT(*p50, 4096u);
    const auto p99 = w.percentile_ns(99);
    ASSERT_TRUE(p99);
    EXPECT_GE(*p99, 524'288u);
    EXPECT_LE(*p99, 900'000u);
    // (900 x 3000 ns + 100 x 700000 ns) / 1000 = (2.7 ms + 70 ms) / 1000
    EXPECT_EQ(w.mean_ns(), 72'700u);
}

// Each hook's part of the cost over the window, matched by name; a part that only the end has
// (attached later) counts from zero.
TEST(BenchDispatch, EachProgramsCostOverTheWindow) {
    auto begin = mark({counters(1, 10, 11, 2000)}, 1000, 30, 0, 0, true);
    begin.programs = {{"dq_queue_work", 400, 10}, {"dq_execute_start", 600, 20}};
    auto end = mark({counters(1, 110, 11, 2000)}, 9000, 330, 0, 1, false);
    end.programs = {
        {"dq_execute_start", 5600, 120}, {"dq_queue_work", 2400, 110}, {"dq_complete", 1000, 100}};
    const DispatchWindow w = dispatch_window(begin, end);
    const std::vector<bpf::ProgramCost> expected{
        {"dq_execute_start", 5000, 100}, {"dq_queue_work", 2000, 100}, {"dq_complete", 1000, 100}};
    EXPECT_EQ(w.programs, expected);
    EXPECT_EQ(w.probe_ns, 8000u);
}

TEST(BenchDispatch, RestartsAndLostWatchesAreSeen) {
    const auto begin = mark({counters(1, 500, 11, 2000)}, 9000, 1000, 0, 0, true);
    auto end = mark({counters(1, 20, 11, 2000)}, 100, 40, 0, 1, false);
    end.watch.all = false;
    const DispatchWindow w = dispatch_window(begin, end);
    EXPECT_TRUE(w.restarted);
    EXPECT_TRUE(w.watch_lost);
    EXPECT_EQ(w.completions(), 20u); // since the probes were registered again
    EXPECT_EQ(w.probe_ns, 100u);
}

TEST(BenchDispatch, NothingMeasured) {
    const DispatchWindow w = window_of(1, 12, 0, 0);
    EXPECT_EQ(w.completions(), 0u);
    EXPECT_EQ(w.percentile_ns(99), std::nullopt);
    EXPECT_EQ(w.mean_ns(), std::nullopt);
    EXPECT_EQ(w.probe_ns_per_completion(), std::nullopt);
    EXPECT_EQ(device_text({259, 1}), "259:1");
}

TEST(BenchDispatch, CompletionsAgainstTheEnginesWrites) {
    BenchOptions options; // iodepth 128
    RunRecord r;
    r.engine.writes = 100'000;
    EXPECT_EQ(r.completion_check(options), std::nullopt); // no counts from the module
    r.dispatch = window_of(1, 12, 100'000 + 1000, 200);
    r.dispatch->unmatched = 50;
    auto check = r.completion_check(options);
    ASSERT_TRUE(check);
    EXPECT_EQ(check->engine_writes, 100'000u);
    EXPECT_EQ(check->module_completions, 101'050u);
    EXPECT_EQ(check->slack, 1256u); // twice the iodepth, 256, and 1 % of the 100000 writes
    EXPECT_TRUE(check->ok);         // 1050 more, of 1256 allowed
    EXPECT_DOUBLE_EQ(check->queued_share, 1.0105);
    r.dispatch = window_of(1, 12, 101'300, 200); // 1350 more: another writer, or a wrong count
    check = r.completion_check(options);
    ASSERT_TRUE(check);
    EXPECT_FALSE(check->ok);
    // Fewer: completions the submitter ran itself, never queued.
    r.dispatch = window_of(1, 12, 86'000, 200);
    check = r.completion_check(options);
    EXPECT_TRUE(check->ok);
    EXPECT_DOUBLE_EQ(check->queued_share, 0.86);
    // Reads have no completion work: only writes count.
    r.engine.reads = 50'000;
    r.engine.writes = 50'000;
    r.dispatch = window_of(1, 12, 50'500, 200);
    EXPECT_TRUE(r.completion_check(options)->ok);
    r.dispatch = window_of(1, 12, 51'000, 200);
    EXPECT_FALSE(r.completion_check(options)->ok); // 1000 more, of 756 allowed
    // fio's window is aligned only to 100 ms polling: 5 %.
    options.engine_kind = EngineKind::fio;
    r.dispatch = window_of(1, 12, 52'000, 200);
    EXPECT_TRUE(r.completion_check(options)->ok);
    options.engine_kind = EngineKind::builtin;
    EXPECT_FALSE(r.completion_check(options)->ok);
}

class BenchDispatchReportTest : public test::MadeUpBench {
protected:
    void SetUp() override {
        setup_ = test::vm_setup("6.12.117+deb12-amd64", "/mnt/bench");
        setup_.module_version = "0.1.0";
        setup_.dispatch_available = true;
        setup_.options.configurations = {*find_configuration("outside_off"),
                                         *find_configuration("inside_off"),
                                         *find_configuration("inside_on_unbound")};
        setup_.options.repeat = 3;
        unsigned sequence = 0;
        for (unsigned round = 0; round < 3; ++round) {
            // outside: ~1-2 us; inside: ~0.5-1 ms (starved); unbound: ~2-4 us on CPU 0.
            add("outside_off", round, sequence++, window_of(1, 11, 100'000 + round, 300));
            add("inside_off", round, sequence++, window_of(1, 20, 30'000, 400));
            add("inside_on_unbound", round, sequence++, window_of(0, 12, 110'000, 500));
        }
        // One run whose counts disagree with the engine's.
        records_[1].engine.writes = 10'000;
        for (auto& r : records_) {
            r.check = r.completion_check(setup_.options);
        }
        summaries_ = summarize(setup_.options.configurations, records_, setup_.cpu);
    }

    void add(const char* name, unsigned round, unsigned sequence, DispatchWindow window) {
        RunRecord r;
        r.configuration = name;
        r.round = round;
        r.sequence = sequence;
        r.engine.seconds = 10;
        r.engine.writes = window.completions();
        r.engine.iops_samples = {double(r.engine.writes) / 10};
        r.engine.latency.add(100'000);
        r.dispatch = std::move(window);
        records_.push_back(std::move(r));
    }
};

TEST_F(BenchDispatchReportTest, Summary) {
    const auto& outside = summary("outside_off");
    EXPECT_EQ(outside.dispatch_runs, 3u);
    EXPECT_EQ(outside.completions_median, 100'001.0);
    ASSERT_TRUE(outside.dispatch_p50_ns_median);
    // Every delay is in [1024, 2048) and the largest is 1025: so are the estimates.
    EXPECT_GE(*outside.dispatch_p50_ns_median, 1024);
    EXPECT_LE(*outside.dispatch_p50_ns_median, 1025);
    ASSERT_TRUE(outside.dispatch_p99_ns_median);
    EXPECT_GE(*outside.dispatch_p99_ns_median, 1024);
    EXPECT_LE(*outside.dispatch_p99_ns_median, 1025);
    EXPECT_EQ(outside.dispatch_max_ns, 1025u);
    EXPECT_EQ(outside.dispatch_load_cpu_share_median, 1.0);
    EXPECT_DOUBLE_EQ(*outside.probe_ns_per_completion, 300.0);
    EXPECT_EQ(outside.dispatch_hist[11], 300'003u);
    EXPECT_EQ(latency::total(outside.dispatch_hist), 300'003u);
    EXPECT_EQ(outside.completion_check_failures, 0u);

    const auto& inside = summary("inside_off");
    ASSERT_TRUE(inside.dispatch_p99_ns_median);
    EXPECT_GE(*inside.dispatch_p99_ns_median, 524'288); // all in bucket 20, the largest 524289
    EXPECT_LE(*inside.dispatch_p99_ns_median, 524'289);
    EXPECT_EQ(inside.completion_check_failures, 1u);
    EXPECT_DOUBLE_EQ(*inside.probe_ns_per_completion, 400.0);

    const auto& unbound = summary("inside_on_unbound");
    EXPECT_EQ(unbound.dispatch_load_cpu_share_median, 0.0); // completions ran on CPU 0
    ASSERT_TRUE(unbound.dispatch_p50_ns_median);
    EXPECT_GE(*unbound.dispatch_p50_ns_median, 2048); // all in bucket 12, the largest 2049
    EXPECT_LE(*unbound.dispatch_p50_ns_median, 2049);
}

TEST_F(BenchDispatchReportTest, NoCountsNoDispatchSummary) {
    for (auto& r : records_) {
        r.dispatch.reset();
        r.check.reset();
    }
    const auto s = summarize(setup_.options.configurations, records_, 1);
    EXPECT_EQ(s[0].dispatch_runs, 0u);
    EXPECT_EQ(s[0].completions_median, std::nullopt);
    EXPECT_EQ(s[0].dispatch_p99_ns_median, std::nullopt);
    EXPECT_EQ(s[0].probe_ns_per_completion, std::nullopt);
    EXPECT_EQ(s[0].dispatch_max_ns, std::nullopt);
}

TEST_F(BenchDispatchReportTest, Json) {
    records_[0].diowq = SuperblockStatus{};
    records_[0].diowq->id = "nvme0n1";
    const std::string json = report_json(setup_, records_, summaries_, {}, false).dump();
    for (const char* key : {
             R"("completions":100000,"cgroup":null,"cgroup_weight":null,"diverted":null},)"
             R"("dispatch":{"seconds":10,"completions":100000,)",
             R"("completions_per_cpu":[0,100000],"load_cpu_completions":100000,"unmatched":0,)",
             R"("p50_ns":)",
             R"("max_ns":1025,"mean_ns":1024,"hist":[0,0,0,0,0,0,0,0,0,0,0,100000,0,)",
             R"("cpus":[{"cpu":1,"completions":100000,"p50_ns":)",
             R"("probe_ns":30000000,"probe_hits":200000,"probe_ns_per_completion":300,)",
             R"("programs":{"dq_queue_work":{"ns":7500000,"runs":100000},)",
             R"("dq_execute_start":{"ns":22500000,"runs":100000}},)",
             R"("queued_of_completed":null,"restarted":false},)",
             R"("completions_check":{"engine_writes":100000,)",
             R"("module_completions":100000,"slack":1256,"queued_share":1,"ok":true},"jobs":)",
             R"("engine_writes":10000,"module_completions":30000,"slack":356,"queued_share":3,)",
             R"("dispatch_runs":3,"completions_median":100001,"dispatch_p50_ns_median":)",
             R"("dispatch_max_ns":1025,"dispatch_load_cpu_share_median":1,)",
             R"("probe_ns_per_completion":300,"dispatch_hist":[)",
             R"("completions_check_failures":0,"queued_share_median":1,"jobs_iops_median":)",
             R"("completions_check_failures":1,"queued_share_median":1,"jobs_iops_median":)",
             R"("dispatch":{"recorded":true,"note":null,"summed_over":"all CPUs",)",
             R"("source":"bpf"})",
         }) {
        EXPECT_NE(json.find(key), std::string::npos) << "missing " << key << "\n" << json;
    }
}

TEST_F(BenchDispatchReportTest, JsonWithoutTheModule) {
    setup_.dispatch_available = false;
    setup_.dispatch_unavailable = "cannot measure dispatch latency: this kernel has no BTF";
    for (auto& r : records_) {
        r.dispatch.reset();
        r.check.reset();
    }
    records_[0].diowq = SuperblockStatus{};
    const auto s = summarize(setup_.options.configurations, records_, 1);
    const std::string json = report_json(setup_, records_, s, {}, false).dump();
    for (const char* key : {
             R"("completions":null,"cgroup":null,"cgroup_weight":null,"diverted":null},)"
             R"("dispatch":null,"completions_check":null,"jobs":)",
             R"("dispatch_runs":0,"completions_median":null,"dispatch_p50_ns_median":null,)",
             R"("probe_ns_per_completion":null,"dispatch_hist":null,)",
             R"("dispatch":{"recorded":false,)",
             R"("note":"cannot measure dispatch latency: this kernel has no BTF",)",
             R"("summed_over":null,"source":null})",
         }) {
        EXPECT_NE(json.find(key), std::string::npos) << "missing " << key << "\n" << json;
    }
    const std::string text = report_text(setup_, records_, s, {});
    EXPECT_NE(text.find("\ndispatch latency: cannot measure dispatch latency: this kernel has no "
                        "BTF\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("DISP P99 US"), std::string::npos);
}

TEST_F(BenchDispatchReportTest, TextTableAndRunLine) {
    const std::string text = report_text(setup_, records_, summaries_, {});
    EXPECT_NE(text.find("CLAT P99 US  DISP P50 US  DISP P99 US"), std::string::npos) << text;
    EXPECT_NE(text.find("dispatch latency (DISP): diowqctl's BPF program's, queued -> running"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("outside_off 300 ns, inside_off 400 ns, inside_on_unbound 500 ns"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("  check: inside_off #1: the program counted 30000 queued completions, "
                        "more than the engine's 10000 writes (+356 in flight)"),
              std::string::npos)
        << text;
    const std::string line = run_line(records_[0], 9);
    EXPECT_NE(line.find("  dispatch p99 1.02 us"), std::string::npos) << line;
    EXPECT_NE(run_line(records_[1], 9).find("(counts disagree)"), std::string::npos);
}

// outside_unwatched runs without the program by design: no note of a failed reading for it,
// one for a run of another configuration that lacks its counts.
TEST_F(BenchDispatchReportTest, UnwatchedRunsAreNotFailedReadings) {
    const auto note = [&] {
        const auto summaries = summarize(setup_.options.configurations, records_, setup_.cpu);
        return report_text(setup_, records_, summaries, {}).find("without the program's counts");
    };
    setup_.options.configurations.push_back(*find_configuration("outside_unwatched"));
    add("outside_unwatched", 0, 9, DispatchWindow{});
    records_.back().dispatch.reset();
    EXPECT_EQ(note(), std::string::npos);
    records_[0].dispatch.reset();
    EXPECT_NE(note(), std::string::npos);
}

TEST_F(BenchDispatchReportTest, LatencyChart) {
    const std::string svg = dispatch_svg(setup_, summaries_);
    EXPECT_TRUE(test::is_svg_document(svg));
    const auto count = [&](const std::string& needle) { return test::occurrences(svg, needle); };
    EXPECT_EQ(count("<path class=\"cdf\""), 3u);
    EXPECT_EQ(count("<text class=\"legend-name\""), 3u);
    EXPECT_NE(svg.find("data-configuration=\"inside_off\""), std::string::npos);
    EXPECT_NE(svg.find("Dispatch latency of dio write completions: 6.12.117+deb12-amd64"),
              std::string::npos);
    // Decades from 1 us (bucket 11 starts at 1024 ns) to 10 ms (bucket 20 ends at 1.05 ms).
    EXPECT_NE(svg.find(">1 us</text>"), std::string::npos) << svg;
    EXPECT_NE(svg.find(">10 ms</text>"), std::string::npos);
    EXPECT_EQ(svg.find(">100 ns</text>"), std::string::npos);
    EXPECT_NE(svg.find(">p99</text>"), std::string::npos);
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    // Every curve ends at 100 %: y = top (96).
    EXPECT_NE(svg.find(" 96.0\" stroke=\"#c0392b\""), std::string::npos) << svg;

    // A configuration without counts is listed, without a curve.
    for (auto& r : records_) {
        if (r.configuration == "inside_off") {
            r.dispatch.reset();
        }
    }
    const auto s = summarize(setup_.options.configurations, records_, 1);
    const std::string partial = dispatch_svg(setup_, s);
    EXPECT_EQ(partial.find("data-configuration=\"inside_off\""), std::string::npos);
    EXPECT_NE(partial.find(">no completions measured</text>"), std::string::npos);
    // Nothing at all: says so.
    for (auto& r : records_) {
        r.dispatch.reset();
    }
    const std::string empty =
        dispatch_svg(setup_, summarize(setup_.options.configurations, records_, 1));
    EXPECT_NE(empty.find(">no dispatch latency recorded</text>"), std::string::npos);
    EXPECT_EQ(empty.find("nan"), std::string::npos);
}

TEST(BenchPlot, DecadeLabels) {
    EXPECT_EQ(decade_label(0), "1 ns");
    EXPECT_EQ(decade_label(2), "100 ns");
    EXPECT_EQ(decade_label(3), "1 us");
    EXPECT_EQ(decade_label(7), "10 ms");
    EXPECT_EQ(decade_label(9), "1 s");
    EXPECT_EQ(decade_label(10), "10 s");
}

} // namespace
} // namespace diowq::bench
