// SPDX-License-Identifier: GPL-2.0
// The latency library: what the module's log2 buckets stand for, percentiles estimated from them
// within their documented bound, differences of cumulative snapshots, and the formatting.
#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "latency/format.hpp"
#include "latency/histogram.hpp"
#include "latency/interval.hpp"
#include "latency/queue.hpp"

namespace diowq::latency {
namespace {

LatencyBuckets histogram_of(const std::vector<std::uint64_t>& delays) {
    LatencyBuckets hist{};
    for (const auto ns : delays) {
        ++hist[bucket_of(ns)];
    }
    return hist;
}

TEST(Buckets, AsTheUapiHeaderSays) {
    EXPECT_EQ(bucket_of(0), 0u);
    EXPECT_EQ(bucket_of(1), 1u);
    EXPECT_EQ(bucket_of(2), 2u);
    EXPECT_EQ(bucket_of(3), 2u);
    EXPECT_EQ(bucket_of(4), 3u);
    EXPECT_EQ(bucket_of(1023), 10u);
    EXPECT_EQ(bucket_of(1024), 11u);
    EXPECT_EQ(bucket_of((1u << 29) + 5), 30u);
    EXPECT_EQ(bucket_of(1u << 30), 31u);
    EXPECT_EQ(bucket_of(UINT64_MAX), 31u);
}

TEST(Buckets, BoundsMatchBucketOf) {
    for (std::size_t b = 0; b < bucket_count; ++b) {
        EXPECT_EQ(bucket_of(bucket_low(b)), b);
        if (const auto high = bucket_high(b)) {
            EXPECT_EQ(bucket_of(*high - 1), b);
            EXPECT_EQ(bucket_of(*high), b + 1);
        } else {
            EXPECT_EQ(b, bucket_count - 1);
        }
    }
    EXPECT_EQ(bucket_low(0), 0u);
    EXPECT_EQ(bucket_high(0), 1u);
    EXPECT_EQ(bucket_low(31), 1u << 30);
}

TEST(Percentile, EmptyHasNone) {
    EXPECT_EQ(percentile(LatencyBuckets{}, 50), std::nullopt);
    EXPECT_EQ(total(LatencyBuckets{}), 0u);
}

TEST(Percentile, OneValueIsTheMiddleOfItsBucket) {
    // 3000 ns is in [2048, 4096): one value there is estimated at the middle.
    EXPECT_EQ(percentile(histogram_of({3000}), 50), 3072u);
    EXPECT_EQ(percentile(histogram_of({3000}), 99), 3072u);
}

TEST(Percentile, ZeroBucketIsExact) {
    EXPECT_EQ(percentile(histogram_of({0, 0, 0}), 99), 0u);
}

TEST(Percentile, KnownMaximumCapsItsBucket) {
    // The max (2100) is in the bucket: the estimate stays within [2048, 2100].
    const auto p = percentile(histogram_of({2050, 2060, 2100}), 50, 2100);
    ASSERT_TRUE(p);
    EXPECT_GE(*p, 2048u);
    EXPECT_LE(*p, 2100u);
    // The highest rank is the maximum.
    EXPECT_EQ(percentile(histogram_of({2050, 2060, 2100}), 100, 2100), 2100u);
    EXPECT_EQ(percentile(histogram_of({2100}), 50, 2100), 2100u);
    // A max in another bucket (stale, or an upper bound far above) changes nothing.
    EXPECT_EQ(percentile(histogram_of({3000}), 99, 100000), 3072u);
}

TEST(Percentile, OpenEndedBucket) {
    const std::uint64_t two_s = 2'000'000'000;
    EXPECT_EQ(percentile(histogram_of({two_s}), 50), 1u << 30); // only its lower end is known
    const auto capped = percentile(histogram_of({two_s, two_s}), 50, two_s);
    ASSERT_TRUE(capped);
    EXPECT_GT(*capped, 1u << 30);
    EXPECT_LE(*capped, two_s);
}

TEST(Percentile, NearestRankPicksTheBucket) {
    // 98 fast, 2 slow: p50 is fast, p99 is slow (rank 99 of 100).
    std::vector<std::uint64_t> delays(98, 5000);
    delays.push_back(3'000'000);
    delays.push_back(3'000'000);
    const auto hist = histogram_of(delays);
    EXPECT_EQ(bucket_of(*percentile(hist, 50)), bucket_of(5000));
    EXPECT_EQ(bucket_of(*percentile(hist, 99)), bucket_of(3'000'000));
    EXPECT_EQ(bucket_of(*percentile(hist, 98)), bucket_of(5000));
    EXPECT_EQ(bucket_of(*percentile(hist, 0)), bucket_of(5000));
    EXPECT_EQ(bucket_of(*percentile(hist, 100)), bucket_of(3'000'000));
}

TEST(Percentile, InterpolatesWithinTheBucket) {
    // 4 values in [1024, 2048): ranks 1..4 at 1/8, 3/8, 5/8, 7/8 of the bucket.
    const auto hist = histogram_of({1100, 1300, 1600, 2000});
    EXPECT_EQ(percentile(hist, 25), 1024u + 128u);
    EXPECT_EQ(percentile(hist, 50), 1024u + 384u);
    EXPECT_EQ(percentile(hist, 75), 1024u + 640u);
    EXPECT_EQ(percentile(hist, 100), 1024u + 896u);
}

// The documented bound: estimate and true value share a bucket, so each is less than twice the
// other. Checked against exact nearest-rank percentiles of random log-uniform samples.
TEST(Percentile, WithinAFactorOfTwoOfTheTruth) {
    std::mt19937_64 random(42);
    std::uniform_real_distribution<double> exponent(0, 31);
    for (int round = 0; round < 50; ++round) {
        std::vector<std::uint64_t> delays(1 + random() % 500);
        for (auto& ns : delays) {
            ns = static_cast<std::uint64_t>(std::pow(2.0, exponent(random)));
        }
        const auto hist = histogram_of(delays);
        std::sort(delays.begin(), delays.end());
        for (const double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
            const auto rank = std::max<std::size_t>(
                1,
                static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(delays.size()))));
            const std::uint64_t truth = delays[rank - 1];
            const auto estimate = percentile(hist, p, delays.back());
            ASSERT_TRUE(estimate);
            EXPECT_EQ(bucket_of(*estimate), bucket_of(truth)) << "p" << p;
            EXPECT_LT(*estimate, 2 * truth + 1) << "p" << p;
            EXPECT_LT(truth, 2 * *estimate + 1) << "p" << p;
            EXPECT_LE(*estimate, delays.back());
        }
    }
}

TEST(Histogram, SumAndHighest) {
    auto sum = histogram_of({1, 5000});
    sum += histogram_of({5000, 0});
    EXPECT_EQ(total(sum), 4u);
    EXPECT_EQ(sum[bucket_of(5000)], 2u);
    EXPECT_EQ(highest_bucket(sum), bucket_of(5000));
    EXPECT_EQ(highest_bucket(LatencyBuckets{}), std::nullopt);
}

CpuLatencyCounters counters(std::uint32_t cpu, const std::vector<std::uint64_t>& delays,
                            std::uint64_t max_ns) {
    CpuLatencyCounters c;
    c.cpu = cpu;
    c.completions = delays.size();
    for (const auto ns : delays) {
        c.sum_ns += ns;
    }
    c.hist = histogram_of(delays);
    c.max_ns = max_ns;
    return c;
}

TEST(Difference, CountsOfTheWindow) {
    const auto before = counters(1, {1000, 2000}, 2000);
    auto after = counters(1, {1000, 2000, 3000, 50000}, 50000);
    after.worker_pid = 77;
    after.worker_nice = -20;
    after.dev = DeviceNumber{254, 16};
    const CpuInterval window = difference(before, after, false);
    EXPECT_EQ(window.cpu, 1u);
    EXPECT_EQ(window.completions, 2u);
    EXPECT_EQ(window.sum_ns, 53000u);
    EXPECT_EQ(window.hist, histogram_of({3000, 50000}));
    EXPECT_EQ(window.max_ns, 50000u); // the maximum grew: it is the window's
    EXPECT_TRUE(window.max_exact);
    EXPECT_FALSE(window.restarted);
    EXPECT_EQ(window.worker_pid, 77u);
    EXPECT_EQ(window.worker_nice, -20);
    EXPECT_EQ(window.dev, (DeviceNumber{254, 16}));
}

TEST(Difference, OldMaximumIsBoundedByTheWindowsHighestBucket) {
    const auto before = counters(0, {900'000}, 900'000);
    const auto after = counters(0, {900'000, 3000, 3500}, 900'000);
    const CpuInterval window = difference(before, after, false);
    EXPECT_FALSE(window.max_exact);
    EXPECT_EQ(window.max_ns, 4095u); // the end of [2048, 4096)
}

TEST(Difference, ClearedMaximumIsExact) {
    const auto before = counters(0, {900'000}, 900'000);
    const auto after = counters(0, {900'000, 3000}, 3000); // restarted from 0 by CLEAR_MAX
    const CpuInterval window = difference(before, after, true);
    EXPECT_TRUE(window.max_exact);
    EXPECT_EQ(window.max_ns, 3000u);
}

TEST(Difference, NoCompletionsNoMaximum) {
    const auto same = counters(0, {5}, 5);
    const CpuInterval window = difference(same, same, false);
    EXPECT_EQ(window.completions, 0u);
    EXPECT_EQ(window.max_ns, std::nullopt);
    EXPECT_EQ(summarize(window, 1).p99_ns, std::nullopt);
}

TEST(Difference, CountersThatWentDownRestarted) {
    const auto before = counters(0, {1, 2, 3, 4000}, 4000);
    const auto after = counters(0, {100}, 100);
    const CpuInterval window = difference(before, after, false);
    EXPECT_TRUE(window.restarted);
    EXPECT_EQ(window.completions, 1u);
    EXPECT_EQ(window.max_ns, 100u);
    EXPECT_TRUE(window.max_exact);
}

TEST(Difference, SnapshotsMatchCpusByNumber) {
    Snapshot earlier;
    earlier.cpus = {counters(0, {10}, 10), counters(1, {20}, 20)};
    earlier.taken = std::chrono::steady_clock::time_point(std::chrono::seconds(10));
    Snapshot later;
    later.cpus = {counters(1, {20, 30}, 30), counters(2, {40}, 40)};
    later.taken = earlier.taken + std::chrono::milliseconds(2500);
    const auto windows = difference(earlier, later);
    ASSERT_EQ(windows.size(), 2u);
    EXPECT_EQ(windows[0].cpu, 1u);
    EXPECT_EQ(windows[0].completions, 1u);
    EXPECT_EQ(windows[1].cpu, 2u); // new: counted from 0
    EXPECT_EQ(windows[1].completions, 1u);
    EXPECT_DOUBLE_EQ(seconds_between(earlier, later), 2.5);
}

TEST(Summary, RatePercentilesMean) {
    std::vector<std::uint64_t> delays(99, 10'000);
    delays.push_back(5'000'000);
    const CpuInterval window = since_registration(counters(3, delays, 5'000'000));
    const CpuSummary s = summarize(window, 2.0);
    EXPECT_EQ(s.cpu, 3u);
    EXPECT_EQ(s.completions, 100u);
    EXPECT_DOUBLE_EQ(s.per_second, 50.0);
    EXPECT_EQ(bucket_of(*s.p50_ns), bucket_of(10'000));
    EXPECT_EQ(bucket_of(*s.p99_ns), bucket_of(10'000)); // rank 99 of 100
    EXPECT_EQ(s.max_ns, 5'000'000u);
    EXPECT_EQ(s.mean_ns, (99u * 10'000 + 5'000'000) / 100);
}

TEST(Format, Durations) {
    EXPECT_EQ(format_ns(0), "0 ns");
    EXPECT_EQ(format_ns(999), "999 ns");
    EXPECT_EQ(format_ns(1000), "1.0 us");
    EXPECT_EQ(format_ns(2149), "2.1 us");
    EXPECT_EQ(format_ns(9960), "10 us");
    EXPECT_EQ(format_ns(15'400), "15 us");
    EXPECT_EQ(format_ns(850'000), "850 us");
    EXPECT_EQ(format_ns(999'600), "1.0 ms");
    EXPECT_EQ(format_ns(2'100'000), "2.1 ms");
    EXPECT_EQ(format_ns(9'800'000), "9.8 ms");
    EXPECT_EQ(format_ns(1'200'000'000), "1.2 s");
    EXPECT_EQ(format_ns(75'000'000'000), "75 s");
    EXPECT_EQ(format_ns(std::optional<std::uint64_t>()), "-");
}

TEST(Format, Rates) {
    EXPECT_EQ(format_rate(0), "0");
    EXPECT_EQ(format_rate(0.44), "0.4");
    EXPECT_EQ(format_rate(9.5), "9.5");
    EXPECT_EQ(format_rate(9.96), "10");
    EXPECT_EQ(format_rate(48210.4), "48210");
}

TEST(Format, ParseDurations) {
    EXPECT_EQ(parse_ns("1ms"), 1'000'000u);
    EXPECT_EQ(parse_ns("2.5ms"), 2'500'000u);
    EXPECT_EQ(parse_ns("500us"), 500'000u);
    EXPECT_EQ(parse_ns("500\u00b5s"), 500'000u);
    EXPECT_EQ(parse_ns("750ns"), 750u);
    EXPECT_EQ(parse_ns("1s"), 1'000'000'000u);
    EXPECT_EQ(parse_ns("0ms"), 0u);
    for (const char* bad : {"", "1", "ms", "1 ms", "-1ms", "1h", "1e3us", "2hours", "7200s"}) {
        EXPECT_THROW(parse_ns(bad), std::invalid_argument) << bad;
    }
}

TEST(Queue, FromWorkerComm) {
    EXPECT_EQ(worker_queue("kworker/1:2-dio/vdb"), "dio/vdb");
    EXPECT_EQ(worker_queue("kworker/1:2+dio/vdb"), "dio/vdb");
    EXPECT_EQ(worker_queue("kworker/1:1H-diowq-vdb"), "diowq-vdb");
    EXPECT_EQ(worker_queue("kworker/u8:3-events_unbound"), "events_unbound");
    EXPECT_EQ(worker_queue("kworker/1:2"), std::nullopt);
    EXPECT_EQ(worker_queue("kworker/1:2-"), std::nullopt);
    EXPECT_EQ(worker_queue("fio"), std::nullopt);
    EXPECT_TRUE(is_dio_queue("dio/vdb"));
    EXPECT_TRUE(is_dio_queue("diowq-vdb"));
    EXPECT_FALSE(is_dio_queue("dio/"));
    EXPECT_FALSE(is_dio_queue("events"));
}

TEST(Queue, OfTheCompletions) {
    SuperblockStatus tuned;
    tuned.id = "vdc";
    tuned.dev_major = 254;
    tuned.dev_minor = 32;
    tuned.workqueue = "diowq-vdc";
    const std::vector<SuperblockStatus> list{tuned};
    const DeviceNumber vdb{254, 16};
    const DeviceNumber vdc{254, 32};
    // The worker's comm wins when it names a dio queue.
    EXPECT_EQ(completion_queue("kworker/1:1H-diowq-vdb", vdb, list, "vdb"), "diowq-vdb");
    // A worker that ran other work since: the filesystem tells.
    EXPECT_EQ(completion_queue("kworker/1:2-events", vdc, list, "vdc"), "diowq-vdc");
    EXPECT_EQ(completion_queue("kworker/1:2-events", vdb, list, "vdb"), "dio/vdb");
    EXPECT_EQ(completion_queue(std::nullopt, vdb, list, std::nullopt), std::nullopt);
    EXPECT_EQ(completion_queue(std::nullopt, std::nullopt, list, "vdb"), std::nullopt);
}

} // namespace
} // namespace diowq::latency
