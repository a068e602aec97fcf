#include "output/json.hpp"

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

std::string quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
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
                // Bytes >= 0x80 pass through: paths are bytes, and UTF-8 stays UTF-8.
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
