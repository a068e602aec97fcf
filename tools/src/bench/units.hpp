// SPDX-License-Identifier: GPL-2.0
// Sizes, durations and rates as people type and read them: "4k", "1g", "20s", "23.3k IOPS".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace diowq::bench {

// "4096", "4k", "4K", "4KiB", "512m", "1g": binary units, as fio reads bs= and size=. Throws
// std::invalid_argument with the reason.
std::uint64_t parse_size(std::string_view text);

// "20", "20s", "500ms", "2m": a duration; plain numbers are seconds. Throws std::invalid_argument.
std::chrono::milliseconds parse_duration(std::string_view text);

// "4 KiB", "1 GiB", "1536 KiB": the largest binary unit that divides the size.
std::string format_size(std::uint64_t bytes);

// "15 s", "500 ms", "2 m 30 s".
std::string format_duration(std::chrono::milliseconds duration);

// "812", "23.3k", "201k", "1.25M": a rate with three significant digits.
std::string format_rate(double value);

} // namespace diowq::bench
