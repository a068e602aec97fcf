// SPDX-License-Identifier: GPL-2.0
// A bench for people: the setup, an aligned table of the summaries, fio's view of a single run,
// notes on the dispatch latency, the verdict and the targets; and the line the progress display
// prints per finished run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "bench/targets.hpp"

namespace diowq::bench {

std::string report_text(const BenchSetup& setup, const std::vector<RunRecord>& records,
                        const std::vector<ConfigurationSummary>& summaries,
                        const std::vector<Target>& targets);

// One line per finished run, as the progress display prints it.
std::string run_line(const RunRecord& record, std::size_t total_runs);

} // namespace diowq::bench
