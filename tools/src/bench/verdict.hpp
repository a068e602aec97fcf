// SPDX-License-Identifier: GPL-2.0
// A bench's finding in one line, for the table's foot and the JSON.
#pragma once

#include <string>
#include <vector>

#include "bench/summary.hpp"

namespace diowq::bench {

// "starvation: inside/off is 0.41x of outside; with diowq 0.99x (highpri), 1.07x (unbound)";
// empty without outside_off and inside_off.
std::string verdict(const std::vector<ConfigurationSummary>& summaries);

} // namespace diowq::bench
