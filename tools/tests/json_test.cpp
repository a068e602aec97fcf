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
