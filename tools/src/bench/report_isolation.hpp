// SPDX-License-Identifier: GPL-2.0
// The isolation bench's part of the report (--isolation): the pods' table below the usual one,
// and the pods' numbers in the JSON's runs, summary and setup.
#pragma once

#include <string>

#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "output/json.hpp"

namespace diowq::bench {

// The table of the pods (empty when no summary has their numbers), with its legend.
std::string isolation_table(const BenchSetup& setup,
                            const std::vector<ConfigurationSummary>& summaries);

// "  B 49% A 47%+kw 6%": a run's pods, for its progress line ("" without).
std::string isolation_run_text(const RunRecord& record);

json::Value isolation_run_json(const RunRecord& record);
json::Value isolation_summary_json(const ConfigurationSummary& summary);
json::Value isolation_setup_json(const BenchSetup& setup);

} // namespace diowq::bench
