// SPDX-License-Identifier: GPL-2.0
#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace diowq::bench {

std::size_t LatencyHistogram::bucket_of(std::uint64_t ns) {
    if (ns < exact_below) {
        return ns;
    }
    const auto msb = static_cast<unsigned>(std::bit_width(ns) - 1); // >= sub_bits + 1
    const unsigned shift = msb - sub_bits;
    const auto offset = static_cast<std::size_t>((ns >> shift) & ((1u << sub_bits) - 1));
    return (std::size_t{shift + 1} << sub_bits) + offset;
}

std::uint64_t LatencyHistogram::bucket_low(std::size_t bucket) {
    if (bucket < exact_below) {
        return bucket;
    }
    const auto shift = static_cast<unsigned>((bucket >> sub_bits) - 1);
    const std::uint64_t offset = bucket & ((1u << sub_bits) - 1);
    return ((std::uint64_t{1} << sub_bits) + offset) << shift;
}

std::uint64_t LatencyHistogram::bucket_high(std::size_t bucket) {
    if (bucket < exact_below) {
        return bucket;
    }
    const auto shift = static_cast<unsigned>((bucket >> sub_bits) - 1);
    return bucket_low(bucket) + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < bucket_count; ++i) {
        buckets_[i] += other.buckets_[i];
    }
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

void LatencyHistogram::add(std::uint64_t ns) {
    ++buckets_[bucket_of(ns)];
    ++count_;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
    sum_ += static_cast<long double>(ns);
}

double LatencyHistogram::mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t LatencyHistogram::percentile(double p) const {
    if (count_ == 0) {
        return 0;
    }
    const double wanted = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * double(count_));
    const std::uint64_t rank = wanted < 1 ? 1 : static_cast<std::uint64_t>(wanted);
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < bucket_count; ++b) {
        seen += buckets_[b];
        if (seen >= rank) {
            const std::uint64_t low = bucket_low(b);
            // Never outside what was seen: the bucket of the maximum is clipped to it.
            return std::clamp(low + (bucket_high(b) - low) / 2, min_, max_);
        }
    }
    return max_;
}

} // namespace diowq::bench
