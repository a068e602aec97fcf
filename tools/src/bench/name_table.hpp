// SPDX-License-Identifier: GPL-2.0
// The command-line spellings of an enum, one table each (--ioengine, --uring-setup, --pattern,
// --hierarchy): looked up both ways.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace diowq::bench {

template <typename Enum>
using NameEntry = std::pair<std::string_view, Enum>;

// The value spelled `name`, or nullopt.
template <typename Enum, std::size_t N>
std::optional<Enum> value_named(const NameEntry<Enum> (&table)[N], std::string_view name) {
    for (const auto& [text, value] : table) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

// How `value` is spelled; "?" for a value the table lacks.
template <typename Enum, std::size_t N>
std::string name_of(const NameEntry<Enum> (&table)[N], Enum value) {
    for (const auto& [text, v] : table) {
        if (v == value) {
            return std::string(text);
        }
    }
    return "?";
}

} // namespace diowq::bench
