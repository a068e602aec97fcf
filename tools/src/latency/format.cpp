// SPDX-License-Identifier: GPL-2.0
#include "latency/format.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace diowq::latency {

namespace {

// One decimal below 10, none above; 9.96 rounds up to "10", not "10.0".
std::string scaled(double value, const char* unit) {
    if (std::round(value * 10) / 10 < 10) {
        return fmt::format("{:.1f} {}", value, unit);
    }
    return fmt::format("{:.0f} {}", value, unit);
}

} // namespace

std::string format_ns(std::uint64_t ns) {
    const auto value = static_cast<double>(ns);
    if (ns < 1000) {
        return fmt::format("{} ns", ns);
    }
    // Each unit until its value would round to 1000 of it.
    if (value < 999.5e3) {
        return scaled(value / 1e3, "us");
    }
    if (value < 999.5e6) {
        return scaled(value / 1e6, "ms");
    }
    return scaled(value / 1e9, "s");
}

std::string format_ns(const std::optional<std::uint64_t>& ns) {
    return ns ? format_ns(*ns) : "-";
}

std::string format_rate(double per_second) {
    if (per_second <= 0) {
        return "0";
    }
    if (std::round(per_second * 10) / 10 < 10) {
        return fmt::format("{:.1f}", per_second);
    }
    return fmt::format("{:.0f}", per_second);
}

std::uint64_t parse_ns(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, double>, 5> units{{
        {"ns", 1},
        {"us", 1e3},
        {"\u00b5s", 1e3},
        {"ms", 1e6},
        {"s", 1e9},
    }};
    const auto bad = [&] {
        return std::invalid_argument(
            fmt::format("'{}' is not a duration like 1ms, 500us or 2.5ms", text));
    };
    for (const auto& [unit, scale] : units) {
        if (text.size() <= unit.size() || !text.ends_with(unit)) {
            continue;
        }
        const std::string_view number = text.substr(0, text.size() - unit.size());
        double value = 0;
        const auto [end, err] = std::from_chars(number.data(), number.data() + number.size(), value,
                                                std::chars_format::fixed);
        if (err != std::errc() || end != number.data() + number.size() || !(value >= 0)) {
            throw bad();
        }
        const double ns = std::round(value * scale);
        if (ns > 3600e9) {
            throw std::invalid_argument(fmt::format("'{}' is longer than an hour", text));
        }
        return static_cast<std::uint64_t>(ns);
    }
    throw bad();
}

} // namespace diowq::latency
