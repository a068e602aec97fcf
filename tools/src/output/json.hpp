// SPDX-License-Identifier: GPL-2.0
// A small JSON value and its writer. Objects keep their keys in insertion order, so the output is
// as stable as the code that builds it: scripts can rely on it, tests compare it byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace diowq::json {

class Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;

class Value {
public:
    Value() = default; // null
    Value(std::nullptr_t) {}
    Value(bool value)
        : data_(value) {}
    Value(std::int64_t value)
        : data_(value) {}
    Value(std::uint64_t value)
        : data_(value) {}
    Value(std::int32_t value)
        : data_(std::int64_t{value}) {}
    Value(std::uint32_t value)
        : data_(std::uint64_t{value}) {}
    // Written in the shortest form that reads back the same; NaN and infinities as null.
    Value(double value)
        : data_(value) {}
    Value(std::string value)
        : data_(std::move(value)) {}
    Value(std::string_view value)
        : data_(std::string(value)) {}
    Value(const char* value)
        : data_(std::string(value)) {}
    Value(Array value)
        : data_(std::move(value)) {}
    Value(Object value)
        : data_(std::move(value)) {}

    template <typename T>
    static Value optional(const std::optional<T>& value) {
        return value ? Value(*value) : Value();
    }
    static Value strings(const std::vector<std::string>& items);

    // One line, no spaces; or indented by four spaces, like iproute2's and bpftool's -p.
    std::string dump(bool pretty = false) const;

private:
    void write(std::string& out, bool pretty, int depth) const;

    std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, Array,
                 Object>
        data_;
};

// The string as a JSON string literal, quotes included.
std::string quote(std::string_view text);

} // namespace diowq::json
