// SPDX-License-Identifier: GPL-2.0
// The bench as a picture: one SVG bar chart of IOPS per configuration (bar: median; whisker:
// min to max; dots: every run), the baseline's median as a dashed line, and each bar's ratio to
// it. Written by hand: plain SVG 1.1 that browsers, GitHub and rsvg render alike.
#pragma once

#include <string>
#include <vector>

#include "bench/runner.hpp"
#include "bench/summary.hpp"

namespace diowq::bench {

std::string iops_svg(const BenchSetup& setup, const std::vector<RunRecord>& records,
                     const std::vector<ConfigurationSummary>& summaries);

// The module's dispatch latency per configuration: the CDF of its histogram (all runs, all CPUs
// summed; dispatch_hist), log-x, one line per configuration with its p50/p99 medians in the
// legend. Configurations without counts are listed as such; no data at all gives a chart that
// says so.
std::string dispatch_svg(const BenchSetup& setup,
                         const std::vector<ConfigurationSummary>& summaries);

// Log-x axis labels for powers of ten of nanoseconds: "1 ns", "100 ns", "1 us", "10 ms", "1 s".
std::string decade_label(int exponent);

// "1 2 5" steps: the smallest of 1, 2, 5 x 10^k that splits `top` into at most `ticks` parts.
double nice_step(double top, int ticks);

// Text for SVG/XML: & < > " escaped.
std::string xml_escape(std::string_view text);

} // namespace diowq::bench
