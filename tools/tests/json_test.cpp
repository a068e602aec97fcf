// SPDX-License-Identifier: GPL-2.0
// The JSON writer: escaping, key order, compact and pretty layout.
#include <gtest/gtest.h>

#include "output/json.hpp"

namespace diowq::json {
namespace {

TEST(Json, Scalars) {
    EXPECT_EQ(Value().dump(), "null");
    EXPECT_EQ(Value(true).dump(), "true");
    EXPECT_EQ(Value(false).dump(), "false");
    EXPECT_EQ(Value(std::int32_t{-20}).dump(), "-20");
    EXPECT_EQ(Value(std::uint64_t{18446744073709551615u}).dump(), "18446744073709551615");
    EXPECT_EQ(Value("xfs").dump(), "\"xfs\"");
}

TEST(Json, EscapesStrings) {
    EXPECT_EQ(quote("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(quote("tab\there\nline\r"), R"("tab\there\nline\r")");
    EXPECT_EQ(quote(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
    EXPECT_EQ(quote("/mnt/d\xc3\xa9j\xc3\xa0"), "\"/mnt/d\xc3\xa9j\xc3\xa0\"");
}

TEST(Json, InvalidUtf8BecomesReplacementCharacters) {
    // Latin-1 "café" as a path: the byte 0xE9 alone is not UTF-8.
    EXPECT_EQ(quote("/srv/caf\xe9"), R"("/srv/caf\ufffd")");
    // A truncated sequence, an overlong "/", a surrogate, and a code point beyond U+10FFFF.
    EXPECT_EQ(quote("a\xe2\x82"), R"("a\ufffd\ufffd")");
    EXPECT_EQ(quote("\xc0\xaf"), R"("\ufffd\ufffd")");
    EXPECT_EQ(quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
    EXPECT_EQ(quote("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
    // Well-formed 3- and 4-byte sequences pass through.
    EXPECT_EQ(quote("\xe2\x82\xac\xf0\x9f\x98\x80"), "\"\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

TEST(Json, OptionalIsNullWhenEmpty) {
    EXPECT_EQ(Value::optional(std::optional<std::string>()).dump(), "null");
    EXPECT_EQ(Value::optional(std::optional<std::uint32_t>(5)).dump(), "5");
}

TEST(Json, CompactKeepsKeyOrder) {
    const Value value = Object{{"z", 1}, {"a", Array{"x", nullptr}}, {"m", Object{}}};
    EXPECT_EQ(value.dump(), R"({"z":1,"a":["x",null],"m":{}})");
}

TEST(Json, PrettyIndentsByFour) {
    const Value value = Object{{"id", "vdb"}, {"list", Array{1, 2}}, {"empty", Array{}}};
    EXPECT_EQ(value.dump(true), R"({
    "id": "vdb",
    "list": [
        1,
        2
    ],
    "empty": []
})");
}

} // namespace
} // namespace diowq::json
