// SPDX-License-Identifier: GPL-2.0
// The bench's arithmetic against values worked out by hand: medians, sample standard deviations,
// nearest-rank percentiles, the latency histogram's buckets, and the units people type.
#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "bench/histogram.hpp"
#include "bench/stats.hpp"
#include "bench/units.hpp"

namespace diowq::bench {
namespace {

TEST(BenchStats, MedianOfOddAndEvenCounts) {
    EXPECT_EQ(median({5, 1, 3}), 3);
    EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
    EXPECT_EQ(median({7}), 7);
    EXPECT_TRUE(std::isnan(median({})));
}

TEST(BenchStats, MeanAndSampleStandardDeviation) {
    // 2 4 4 4 5 5 7 9: mean 5, squared deviations sum to 32, 32 / 7 -> 2.1381
    const std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};
    EXPECT_EQ(mean(v), 5);
    EXPECT_NEAR(stdev(v), std::sqrt(32.0 / 7.0), 1e-12);
    EXPECT_EQ(stdev({42}), 0);
}

TEST(BenchStats, NearestRankPercentile) {
    const std::vector<double> v{15, 20, 35, 40, 50};
    EXPECT_EQ(percentile(v, 5), 15);   // rank ceil(0.25) = 1
    EXPECT_EQ(percentile(v, 30), 20);  // rank ceil(1.5) = 2
    EXPECT_EQ(percentile(v, 40), 20);  // rank 2 exactly
    EXPECT_EQ(percentile(v, 50), 35);  // rank ceil(2.5) = 3
    EXPECT_EQ(percentile(v, 100), 50); // rank 5
    EXPECT_EQ(percentile(v, 0), 15);
}

TEST(BenchStats, SpreadOfRepeats) {
    const Spread s = spread_of({21000, 23000, 22000, 30000, 20000});
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.min, 20000);
    EXPECT_EQ(s.max, 30000);
    EXPECT_EQ(s.median, 22000);
    EXPECT_EQ(s.mean, 23200);
    // deviations -2200 -200 -1200 6800 -3200: squares sum to 62.8e6; / 4 -> 15.7e6
    EXPECT_NEAR(s.stdev, std::sqrt(15.7e6), 1e-6);
    EXPECT_EQ(spread_of({}).count, 0u);
    EXPECT_TRUE(std::isnan(spread_of({}).median));
}

TEST(LatencyHistogram, SmallValuesAreExact) {
    LatencyHistogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) {
        h.add(v);
    }
    EXPECT_EQ(h.count(), 100u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 100u);
    EXPECT_EQ(h.mean(), 50.5);
    EXPECT_EQ(h.percentile(50), 50u);
    EXPECT_EQ(h.percentile(90), 90u);
    EXPECT_EQ(h.percentile(99), 99u);
    EXPECT_EQ(h.percentile(99.9), 100u); // rank ceil(99.9) = 100
    EXPECT_EQ(h.percentile(0), 1u);
}

TEST(LatencyHistogram, BucketsAreContiguousAndNarrow) {
    EXPECT_EQ(LatencyHistogram::bucket_of(127), 127u);
    EXPECT_EQ(LatencyHistogram::bucket_of(128), 128u); // 128..129 share a bucket of width 2
    EXPECT_EQ(LatencyHistogram::bucket_of(129), 128u);
    EXPECT_EQ(LatencyHistogram::bucket_of(130), 129u);
    EXPECT_EQ(LatencyHistogram::bucket_low(128), 128u);
    EXPECT_EQ(LatencyHistogram::bucket_high(128), 129u);
    // 1,000,000 ns: msb 19, 13 bits dropped -> buckets 8192 ns wide, starting at 999424
    const auto b = LatencyHistogram::bucket_of(1'000'000);
    EXPECT_EQ(LatencyHistogram::bucket_low(b), 999'424u);
    EXPECT_EQ(LatencyHistogram::bucket_high(b), 999'424u + 8191);
    EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::bucket_count - 1);
    for (std::size_t i = 1; i < LatencyHistogram::bucket_count; ++i) {
        ASSERT_EQ(LatencyHistogram::bucket_low(i), LatencyHistogram::bucket_high(i - 1) + 1) << i;
    }
}

TEST(LatencyHistogram, LargeValuesWithinABucket) {
    LatencyHistogram h;
    // 90 completions at 50 us, 9 at 1 ms, 1 at 20 ms
    for (int i = 0; i < 90; ++i) {
        h.add(50'000);
    }
    for (int i = 0; i < 9; ++i) {
        h.add(1'000'000);
    }
    h.add(20'000'000);
    EXPECT_NEAR(double(h.percentile(50)), 50'000, 50'000.0 / 128);
    EXPECT_NEAR(double(h.percentile(90)), 50'000, 50'000.0 / 128);
    EXPECT_NEAR(double(h.percentile(99)), 1'000'000, 1'000'000.0 / 128);
    EXPECT_EQ(h.percentile(100), 20'000'000u); // clipped to the maximum seen
    EXPECT_EQ(h.mean(), 335'000.0); // (90 x 50 us + 9 x 1 ms + 20 ms) / 100 = 33.5 ms / 100
    h.clear();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile(50), 0u);
}

TEST(BenchUnits, Sizes) {
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("4k"), 4096u);
    EXPECT_EQ(parse_size("4K"), 4096u);
    EXPECT_EQ(parse_size("4KiB"), 4096u);
    EXPECT_EQ(parse_size("512m"), 512u << 20);
    EXPECT_EQ(parse_size("1g"), 1u << 30);
    EXPECT_EQ(parse_size("2T"), std::uint64_t{2} << 40);
    EXPECT_THROW(parse_size(""), std::invalid_argument);
    EXPECT_THROW(parse_size("k"), std::invalid_argument);
    EXPECT_THROW(parse_size("4x"), std::invalid_argument);
    EXPECT_THROW(parse_size("4kk"), std::invalid_argument);
    EXPECT_THROW(parse_size("-4k"), std::invalid_argument);
    EXPECT_THROW(parse_size("99999999999t"), std::invalid_argument);
    EXPECT_EQ(format_size(4096), "4 KiB");
    EXPECT_EQ(format_size(1u << 30), "1 GiB");
    EXPECT_EQ(format_size(std::uint64_t{1536} * 1024), "1536 KiB");
    EXPECT_EQ(format_size(1000), "1000 B");
}

TEST(BenchUnits, Durations) {
    using std::chrono::milliseconds;
    EXPECT_EQ(parse_duration("20"), milliseconds(20'000));
    EXPECT_EQ(parse_duration("20s"), milliseconds(20'000));
    EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
    EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
    EXPECT_EQ(parse_duration("0"), milliseconds(0));
    EXPECT_THROW(parse_duration("1h"), std::invalid_argument);
    EXPECT_THROW(parse_duration("s"), std::invalid_argument);
    EXPECT_EQ(format_duration(milliseconds(15'000)), "15 s");
    EXPECT_EQ(format_duration(milliseconds(500)), "500 ms");
    EXPECT_EQ(format_duration(milliseconds(1'500)), "1.5 s");
    EXPECT_EQ(format_duration(milliseconds(150'000)), "2 m 30 s");
    EXPECT_EQ(format_duration(milliseconds(120'000)), "2 m");
}

TEST(BenchUnits, Rates) {
    EXPECT_EQ(format_rate(812), "812");
    EXPECT_EQ(format_rate(6800), "6.80k");
    EXPECT_EQ(format_rate(23345), "23.3k");
    EXPECT_EQ(format_rate(200'400), "200k");
    EXPECT_EQ(format_rate(1'250'000), "1.25M");
    EXPECT_EQ(format_rate(NAN), "-");
}

} // namespace
} // namespace diowq::bench
