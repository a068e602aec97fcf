// SPDX-License-Identifier: GPL-2.0
#include "bench/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace diowq::bench {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

} // namespace

double mean(const std::vector<double>& values) {
    if (values.empty()) {
        return nan;
    }
    return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return nan;
    }
    const std::size_t middle = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(middle), values.end());
    const double upper = values[middle];
    if (values.size() % 2 == 1) {
        return upper;
    }
    const double lower = *std::max_element(values.begin(), values.begin() + std::ptrdiff_t(middle));
    return (lower + upper) / 2;
}

double stdev(const std::vector<double>& values) {
    if (values.empty()) {
        return nan;
    }
    if (values.size() == 1) {
        return 0;
    }
    const double m = mean(values);
    double sum = 0;
    for (const double v : values) {
        sum += (v - m) * (v - m);
    }
    return std::sqrt(sum / double(values.size() - 1));
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) {
        return nan;
    }
    std::sort(values.begin(), values.end());
    const double rank = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size()));
    const auto index = rank < 1 ? std::size_t{0} : std::size_t(rank) - 1;
    return values[std::min(index, values.size() - 1)];
}

Spread spread_of(const std::vector<double>& values) {
    if (values.empty()) {
        return Spread{0, nan, nan, nan, nan, nan};
    }
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return Spread{values.size(), *lo, *hi, mean(values), stdev(values), median(values)};
}

} // namespace diowq::bench
