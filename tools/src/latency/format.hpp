// SPDX-License-Identifier: GPL-2.0
// Delays and rates for eyes: two significant digits at most, which is all a log2-bucket estimate
// carries ("850 ns", "2.1 us", "15 us", "2.1 ms", "1.2 s").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace diowq::latency {

// "0 ns", "850 ns", "1.0 us", "2.1 us", "15 us", "850 us", "2.1 ms", "1.2 s", "75 s".
std::string format_ns(std::uint64_t ns);
// format_ns, or "-" for nullopt.
std::string format_ns(const std::optional<std::uint64_t>& ns);
// Completions per second: "0", "0.4", "9.5", "12", "48210".
std::string format_rate(double per_second);

// "1ms", "500us", "2.5ms", "750000ns", "1s" (a unit is required; spaces are not allowed; "µs" is
// "us"); throws std::invalid_argument saying what is accepted. At most one hour.
std::uint64_t parse_ns(std::string_view text);

} // namespace diowq::latency
