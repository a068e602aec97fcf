// SPDX-License-Identifier: GPL-2.0
#include "output/json.hpp"

#include <cmath>

#include <fmt/format.h>

namespace diowq::json {

namespace {

void newline(std::string& out, bool pretty, int depth) {
    if (pretty) {
        out += '\n';
        out.append(static_cast<std::size_t>(depth) * 4, ' ');
    }
}

} // namespace

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 if it is not one
// (overlong forms, surrogates and code points beyond U+10FFFF are not well formed).
std::size_t utf8_sequence_length(std::string_view text) {
    const auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        min_second = lead == 0xe0 ? 0xa0 : 0x80;
        max_second = lead == 0xed ? 0x9f : 0xbf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        min_second = lead == 0xf0 ? 0x90 : 0x80;
        max_second = lead == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < min_second || byte(1) > max_second) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf) {
            return 0;
        }
    }
    return length;
}

} // namespace

std::string quote(std::string_view text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            // Paths are bytes, JSON is Unicode: UTF-8 passes through, any other byte becomes
            // U+FFFD, so the output always parses.
            if (const auto length = utf8_sequence_length(text.substr(i))) {
                out += text.substr(i, length);
                i += length - 1;
            } else {
                out += "\\ufffd";
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

Value Value::strings(const std::vector<std::string>& items) {
    Array array;
    array.reserve(items.size());
    for (const auto& item : items) {
        array.emplace_back(item);
    }
    return array;
}

std::string Value::dump(bool pretty) const {
    std::string out;
    write(out, pretty, 0);
    return out;
}

void Value::write(std::string& out, bool pretty, int depth) const {
    if (std::holds_alternative<std::nullptr_t>(data_)) {
        out += "null";
    } else if (const auto* flag = std::get_if<bool>(&data_)) {
        out += *flag ? "true" : "false";
    } else if (const auto* number = std::get_if<std::int64_t>(&data_)) {
        out += fmt::format("{}", *number);
    } else if (const auto* unsigned_number = std::get_if<std::uint64_t>(&data_)) {
        out += fmt::format("{}", *unsigned_number);
    } else if (const auto* real = std::get_if<double>(&data_)) {
        out += std::isfinite(*real) ? fmt::format("{}", *real) : "null";
    } else if (const auto* text = std::get_if<std::string>(&data_)) {
        out += quote(*text);
    } else if (const auto* array = std::get_if<Array>(&data_)) {
        out += '[';
        for (std::size_t i = 0; i < array->size(); ++i) {
            out += i == 0 ? "" : ",";
            newline(out, pretty, depth + 1);
            (*array)[i].write(out, pretty, depth + 1);
        }
        if (!array->empty()) {
            newline(out, pretty, depth);
        }
        out += ']';
    } else if (const auto* object = std::get_if<Object>(&data_)) {
        out += '{';
        for (std::size_t i = 0; i < object->size(); ++i) {
            out += i == 0 ? "" : ",";
            newline(out, pretty, depth + 1);
            out += quote((*object)[i].first);
            out += pretty ? ": " : ":";
            (*object)[i].second.write(out, pretty, depth + 1);
        }
        if (!object->empty()) {
            newline(out, pretty, depth);
        }
        out += '}';
    }
}

} // namespace diowq::json
