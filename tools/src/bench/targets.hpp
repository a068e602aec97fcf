// SPDX-License-Identifier: GPL-2.0
// The project's acceptance targets (docs/benchmarks.md) and which of them a bench met. Each is a
// row of one table in targets.cpp: a number of one configuration's summary and the bound it must
// keep; a new configuration or write pattern to judge adds rows there.
#pragma once

#include <string>
#include <vector>

#include "bench/summary.hpp"

namespace diowq::bench {

struct Target {
    std::string name;  // stable, for scripts: "highpri_vs_outside"
    std::string claim; // for people: "inside_on >= 1.00x outside_off"
    double value = 0;
    bool met = false;
};

// The targets that the configurations run can judge, in the table's order.
std::vector<Target> evaluate_targets(const std::vector<ConfigurationSummary>& summaries);

} // namespace diowq::bench
