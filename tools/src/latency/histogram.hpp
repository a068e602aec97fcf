// SPDX-License-Identifier: GPL-2.0
// The log2 histogram of dispatch delays (LatencyBuckets, model/latency.hpp): what each
// bucket stands for, and percentiles estimated from the counts.
//
// Estimation: the p-th percentile is the value of nearest rank r = ceil(p/100 * n) (at least 1).
// Its bucket is found from the counts; inside the bucket the values are taken as evenly spread,
// the k-th of c at low + (high - low) * (k - 1/2) / c. The estimate and the true value are then in
// the same bucket [2^(b-1), 2^b): the error is less than the bucket's width 2^(b-1) ns, so each is
// less than twice the other (bucket 0 is exact: 0 ns). When the maximum is known and falls in that
// bucket it caps the bucket (then the estimate never exceeds it), which also bounds the last,
// open-ended bucket (>= 2^30 ns); without it, that bucket's estimate is its lower end, 2^30 ns.
// The highest rank is the maximum itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "model/latency.hpp"

namespace diowq::latency {

inline constexpr std::size_t bucket_count = latency_buckets;

// The bucket the module counts a delay of `ns` in.
std::size_t bucket_of(std::uint64_t ns);
// The smallest delay bucket `b` counts.
std::uint64_t bucket_low(std::size_t b);
// The first delay above bucket `b` (exclusive end); nullopt for the last, open-ended one.
std::optional<std::uint64_t> bucket_high(std::size_t b);

std::uint64_t total(const LatencyBuckets& hist);

// The estimated p-th percentile (p in [0, 100]) in ns; nullopt when the histogram is empty.
// `max_ns`: the largest delay counted, or an upper bound of it, when known.
std::optional<std::uint64_t> percentile(const LatencyBuckets& hist, double p,
                                        std::optional<std::uint64_t> max_ns = std::nullopt);

// The highest bucket with a count; nullopt when empty.
std::optional<std::size_t> highest_bucket(const LatencyBuckets& hist);

// Counts added bucket by bucket (for the bench: the sum over CPUs or runs).
LatencyBuckets& operator+=(LatencyBuckets& sum, const LatencyBuckets& more);

} // namespace diowq::latency
