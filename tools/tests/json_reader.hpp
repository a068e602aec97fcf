// SPDX-License-Identifier: GPL-2.0
// Reads a JSON document back, strictly (RFC 8259, no extensions), so that a test can check the
// structure of what the tool writes: that it parses at all, which keys each object has, in which
// order. Scalars keep their text; \uXXXX escapes are kept as written. Malformed text throws
// std::runtime_error naming the offset.
#pragma once

#include <cctype>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace diowq::test {

struct JsonNode {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    std::string text;                                      // null, boolean, number, string
    std::vector<JsonNode> items;                           // array
    std::vector<std::pair<std::string, JsonNode>> members; // object, in document order

    // An object's keys in order, space-separated: one string to compare, and to read in a failure.
    std::string keys() const {
        std::string names;
        for (const auto& [name, value] : members) {
            names += (names.empty() ? "" : " ") + name;
        }
        return names;
    }

    const JsonNode& at(std::string_view key) const {
        for (const auto& [name, value] : members) {
            if (name == key) {
                return value;
            }
        }
        throw std::out_of_range("no key " + std::string(key));
    }
};

namespace json_detail {

class Reader {
public:
    explicit Reader(std::string_view text)
        : text_(text) {}

    JsonNode document() {
        JsonNode node = value();
        skip_space();
        if (at_ < text_.size()) {
            fail("text after the document");
        }
        return node;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(at_));
    }

    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\n' || text_[at_] == '\r')) {
            ++at_;
        }
    }

    char peek() {
        skip_space();
        if (at_ >= text_.size()) {
            fail("unexpected end");
        }
        return text_[at_];
    }

    void expect(char c) {
        if (peek() != c) {
            fail(std::string("expected '") + c + "'");
        }
        ++at_;
    }

    bool literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) {
            return false;
        }
        at_ += word.size();
        return true;
    }

    std::size_t digits() {
        const std::size_t start = at_;
        while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
            ++at_;
        }
        return at_ - start;
    }

    std::string string() {
        expect('"');
        std::string out;
        while (true) {
            if (at_ >= text_.size()) {
                fail("unterminated string");
            }
            const char c = text_[at_++];
            if (c == '"') {
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("control character in a string");
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_ >= text_.size()) {
                fail("unterminated escape");
            }
            const char e = text_[at_++];
            const std::string_view simple = "\"\\/bfnrt";
            const std::string_view meant = "\"\\/\b\f\n\r\t";
            if (const auto i = simple.find(e); i != std::string_view::npos) {
                out += meant[i];
            } else if (e == 'u' && at_ + 4 <= text_.size() &&
                       text_.substr(at_, 4).find_first_not_of("0123456789abcdefABCDEF") ==
                           std::string_view::npos) {
                out += "\\u" + std::string(text_.substr(at_, 4));
                at_ += 4;
            } else {
                fail("bad escape");
            }
        }
    }

    JsonNode number() {
        const std::size_t start = at_;
        literal("-");
        if (!literal("0") && digits() == 0) {
            fail("bad number");
        }
        if (literal(".") && digits() == 0) {
            fail("bad fraction");
        }
        if (literal("e") || literal("E")) {
            if (!literal("+")) {
                literal("-");
            }
            if (digits() == 0) {
                fail("bad exponent");
            }
        }
        return {JsonNode::Kind::number, std::string(text_.substr(start, at_ - start)), {}, {}};
    }

    // The comma-separated elements of an object or an array, from after its opening bracket up
    // to and with `close`.
    template <typename ReadOne>
    void elements(char close, ReadOne read_one) {
        if (peek() == close) {
            ++at_;
            return;
        }
        while (true) {
            read_one();
            if (peek() != ',') {
                break;
            }
            ++at_;
        }
        expect(close);
    }

    JsonNode value() {
        const char c = peek();
        if (c == '{') {
            ++at_;
            JsonNode node{JsonNode::Kind::object, {}, {}, {}};
            elements('}', [&] {
                std::string key = string();
                expect(':');
                node.members.emplace_back(std::move(key), value());
            });
            return node;
        }
        if (c == '[') {
            ++at_;
            JsonNode node{JsonNode::Kind::array, {}, {}, {}};
            elements(']', [&] { node.items.push_back(value()); });
            return node;
        }
        if (c == '"') {
            return {JsonNode::Kind::string, string(), {}, {}};
        }
        for (const auto& [word, kind] :
             {std::pair{"null", JsonNode::Kind::null}, std::pair{"true", JsonNode::Kind::boolean},
              std::pair{"false", JsonNode::Kind::boolean}}) {
            if (literal(word)) {
                return {kind, word, {}, {}};
            }
        }
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            return number();
        }
        fail("unexpected character");
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

} // namespace json_detail

inline JsonNode read_json(std::string_view text) {
    return json_detail::Reader(text).document();
}

} // namespace diowq::test
