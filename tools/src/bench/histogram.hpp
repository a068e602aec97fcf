// SPDX-License-Identifier: GPL-2.0
// Completion latencies of one run, in nanoseconds: a log-linear histogram (64 buckets per power
// of two, exact below 128 ns), so that a run of millions of I/Os costs a fixed 30 KiB and any
// percentile is within 1/128 of the true value. The idea is fio's (stat.h, FIO_IO_U_PLAT_*).
#pragma once

#include <array>
#include <cstdint>

namespace diowq::bench {

class LatencyHistogram {
public:
    static constexpr unsigned sub_bits = 6; // 64 buckets per power of two
    static constexpr unsigned exact_below = 2u << sub_bits;
    static constexpr std::size_t bucket_count = (64 - sub_bits + 1) << sub_bits;

    void add(std::uint64_t ns);
    // Adds every latency of `other` (another job's, --jobs).
    void merge(const LatencyHistogram& other);
    void clear() { *this = LatencyHistogram(); }

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ ? min_ : 0; }
    std::uint64_t max() const { return max_; }
    double mean() const;
    // Nearest rank (see stats.hpp), as the middle of its bucket; 0 when empty. p in 0..100.
    std::uint64_t percentile(double p) const;

    // Exposed for the tests: where a value goes, and what a bucket stands for.
    static std::size_t bucket_of(std::uint64_t ns);
    static std::uint64_t bucket_low(std::size_t bucket);
    static std::uint64_t bucket_high(std::size_t bucket);

private:
    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

} // namespace diowq::bench
