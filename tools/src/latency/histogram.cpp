// SPDX-License-Identifier: GPL-2.0
#include "latency/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace diowq::latency {

std::size_t bucket_of(std::uint64_t ns) {
    // bit_width(ns) is b for ns in [2^(b-1), 2^b), 0 for 0.
    return std::min<std::size_t>(static_cast<std::size_t>(std::bit_width(ns)), bucket_count - 1);
}

std::uint64_t bucket_low(std::size_t b) {
    return b == 0 ? 0 : std::uint64_t{1} << (b - 1);
}

std::optional<std::uint64_t> bucket_high(std::size_t b) {
    if (b + 1 >= bucket_count) {
        return std::nullopt;
    }
    return std::uint64_t{1} << b; // bucket 0: [0, 1)
}

std::uint64_t total(const LatencyBuckets& hist) {
    std::uint64_t n = 0;
    for (const auto count : hist) {
        n += count;
    }
    return n;
}

std::optional<std::size_t> highest_bucket(const LatencyBuckets& hist) {
    for (std::size_t b = hist.size(); b-- > 0;) {
        if (hist[b] != 0) {
            return b;
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t> percentile(const LatencyBuckets& hist, double p,
                                        std::optional<std::uint64_t> max_ns) {
    const std::uint64_t n = total(hist);
    if (n == 0) {
        return std::nullopt;
    }
    p = std::clamp(p, 0.0, 100.0);
    const auto rank = std::clamp<std::uint64_t>(
        static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(n))), 1, n);
    std::uint64_t before = 0;
    std::size_t b = 0;
    while (before + hist[b] < rank) {
        before += hist[b];
        ++b;
    }
    const std::uint64_t low = bucket_low(b);
    std::optional<std::uint64_t> high = bucket_high(b);
    if (max_ns && bucket_of(*max_ns) == b) {
        if (rank == n) {
            return *max_ns; // the largest value is the maximum
        }
        high = *max_ns + 1;
    }
    if (!high || b == 0) {
        return low;
    }
    const double k = static_cast<double>(rank - before);
    const double width = static_cast<double>(*high - low);
    const auto offset =
        static_cast<std::uint64_t>(width * (k - 0.5) / static_cast<double>(hist[b]));
    return std::min(low + offset, *high - 1);
}

LatencyBuckets& operator+=(LatencyBuckets& sum, const LatencyBuckets& more) {
    for (std::size_t b = 0; b < sum.size(); ++b) {
        sum[b] += more[b];
    }
    return sum;
}

} // namespace diowq::latency
