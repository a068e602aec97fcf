// SPDX-License-Identifier: GPL-2.0
// The bench as a picture: one SVG bar chart of IOPS per configuration (bar: median; whisker:
// min to max; dots: every run), the baseline's median as a dashed line, and each bar's ratio to
// it. Written by hand: plain SVG 1.1 that browsers, GitHub and rsvg render alike.
#pragma once

#include <string>
#include <vector>

#include "bench/report.hpp"
#include "bench/runner.hpp"

namespace diowq::bench {

std::string iops_svg(const BenchSetup& setup, const std::vector<RunRecord>& records,
                     const std::vector<ConfigurationSummary>& summaries);

// "1 2 5" steps: the smallest of 1, 2, 5 x 10^k that splits `top` into at most `ticks` parts.
double nice_step(double top, int ticks);

// Text for SVG/XML: & < > " escaped.
std::string xml_escape(std::string_view text);

} // namespace diowq::bench
