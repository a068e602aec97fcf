// SPDX-License-Identifier: GPL-2.0
// Statistics of a handful of numbers: the per-second IOPS samples of one run, and the repeats of
// one configuration. Empty inputs give NaN, never an exception: a run too short for a sample
// still has a report.
#pragma once

#include <cstddef>
#include <vector>

namespace diowq::bench {

struct Spread {
    std::size_t count = 0;
    double min = 0;
    double max = 0;
    double mean = 0;
    double stdev = 0; // sample standard deviation (n - 1), as fio prints; 0 for one value
    double median = 0;
};

double mean(const std::vector<double>& values);
// The middle value, or the mean of the two middle values.
double median(std::vector<double> values);
// Sample standard deviation (divides by n - 1).
double stdev(const std::vector<double>& values);
// Nearest rank: the smallest value with at least p % of the values at or below it (p in 0..100).
double percentile(std::vector<double> values, double p);

Spread spread_of(const std::vector<double>& values);

} // namespace diowq::bench
