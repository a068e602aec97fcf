// SPDX-License-Identifier: GPL-2.0
// A bench as one JSON document for scripts and plots: the setup, every run with every sample and
// counter, the summaries, the targets and the verdict (docs/benchmarks.md lists the keys).
#pragma once

#include <vector>

#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "bench/targets.hpp"
#include "output/json.hpp"

namespace diowq::bench {

json::Value report_json(const BenchSetup& setup, const std::vector<RunRecord>& records,
                        const std::vector<ConfigurationSummary>& summaries,
                        const std::vector<Target>& targets, bool interrupted);

} // namespace diowq::bench
