// SPDX-License-Identifier: GPL-2.0
#include "bench/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace diowq::bench {

namespace {

// The number at the start of `text` and the rest; throws when there is none.
std::pair<std::uint64_t, std::string_view> leading_number(std::string_view text,
                                                          std::string_view what) {
    std::uint64_t value = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err == std::errc::result_out_of_range) {
        throw std::invalid_argument(fmt::format("{} '{}' is too large", what, text));
    }
    if (err != std::errc() || end == text.data()) {
        throw std::invalid_argument(fmt::format("'{}' is not a {}", text, what));
    }
    return {value, text.substr(static_cast<std::size_t>(end - text.data()))};
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_lower(std::string_view text, std::string_view lowercase) {
    if (text.size() != lowercase.size()) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (lower(text[i]) != lowercase[i]) {
            return false;
        }
    }
    return true;
}

} // namespace

std::uint64_t parse_size(std::string_view text) {
    const auto [value, suffix] = leading_number(text, "size (like 4k or 1g)");
    unsigned shift = 0;
    if (!suffix.empty()) {
        static constexpr std::string_view units = "kmgt";
        const auto unit = units.find(lower(suffix.front()));
        const std::string_view rest = suffix.substr(1);
        if (unit == std::string_view::npos ||
            !(rest.empty() || equals_lower(rest, "b") || equals_lower(rest, "ib"))) {
            throw std::invalid_argument(fmt::format(
                "'{}' is not a size (a number with an optional k, m, g or t suffix)", text));
        }
        shift = 10 * static_cast<unsigned>(unit + 1);
    }
    if (shift > 0 && value > (UINT64_MAX >> shift)) {
        throw std::invalid_argument(fmt::format("size '{}' is too large", text));
    }
    return value << shift;
}

std::chrono::milliseconds parse_duration(std::string_view text) {
    const auto [value, suffix] = leading_number(text, "duration (like 20s or 500ms)");
    std::uint64_t factor = 0;
    if (suffix.empty() || suffix == "s") {
        factor = 1000;
    } else if (suffix == "ms") {
        factor = 1;
    } else if (suffix == "m") {
        factor = 60'000;
    } else {
        throw std::invalid_argument(
            fmt::format("'{}' is not a duration (a number with an optional ms, s or m)", text));
    }
    if (value > UINT64_MAX / factor / 2) {
        throw std::invalid_argument(fmt::format("duration '{}' is too long", text));
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(value * factor));
}

std::string format_size(std::uint64_t bytes) {
    static constexpr std::array<const char*, 5> units = {"B", "KiB", "MiB", "GiB", "TiB"};
    std::size_t unit = 0;
    while (unit + 1 < units.size() && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        ++unit;
    }
    return fmt::format("{} {}", bytes, units[unit]);
}

std::string format_duration(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms < 1000 || ms % 1000 != 0) {
        return ms < 1000 ? fmt::format("{} ms", ms) : fmt::format("{:.1f} s", double(ms) / 1000.0);
    }
    const auto s = ms / 1000;
    if (s < 60 || s % 60 != 0) {
        return s < 60 ? fmt::format("{} s", s) : fmt::format("{} m {} s", s / 60, s % 60);
    }
    return fmt::format("{} m", s / 60);
}

std::string format_rate(double value) {
    if (!std::isfinite(value)) {
        return "-";
    }
    const double magnitude = std::fabs(value);
    if (magnitude < 1000) {
        return fmt::format("{:.0f}", value);
    }
    const char* suffix = "k";
    double scaled = value / 1000;
    if (magnitude >= 999'500) {
        suffix = "M";
        scaled = value / 1e6;
    }
    const double abs_scaled = std::fabs(scaled);
    if (abs_scaled >= 99.95) {
        return fmt::format("{:.0f}{}", scaled, suffix);
    }
    if (abs_scaled >= 9.995) {
        return fmt::format("{:.1f}{}", scaled, suffix);
    }
    return fmt::format("{:.2f}{}", scaled, suffix);
}

} // namespace diowq::bench
