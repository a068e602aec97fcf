// SPDX-License-Identifier: GPL-2.0
// Aligned text tables.
#include <gtest/gtest.h>

#include "output/table.hpp"

namespace diowq::text {
namespace {

TEST(Table, PadsColumnsToTheWidestCell) {
    Table table({{"ID"}, {"SWAPS", Align::right}, {"MOUNTED ON"}});
    table.add_row({"nvme0n1", "1", "/srv/data"});
    table.add_row({"vdb", "12345", "/x"});
    EXPECT_EQ(table.render(), "ID       SWAPS  MOUNTED ON\n"
                              "nvme0n1      1  /srv/data\n"
                              "vdb      12345  /x\n");
}

TEST(Table, NoHeaderWhenNoTitles) {
    Table table({{}, {}});
    table.add_row({"default mode", "highpri"});
    table.add_row({"auto", "none"});
    EXPECT_EQ(table.render(), "default mode  highpri\n"
                              "auto          none\n");
}

TEST(Table, NoTrailingBlanksAndMissingCellsAreEmpty) {
    Table table({{"A"}, {"B"}});
    table.add_row({"long value"});
    EXPECT_EQ(table.render(), "A           B\n"
                              "long value\n");
}

TEST(Table, CountsUtf8CharactersNotBytes) {
    Table table({{"P"}, {"Q"}});
    table.add_row({"/d\xc3\xa9j\xc3\xa0", "1"});
    table.add_row({"/abcde", "2"});
    EXPECT_EQ(table.render(), "P       Q\n"
                              "/d\xc3\xa9j\xc3\xa0   1\n"
                              "/abcde  2\n");
}

TEST(Table, RejectsRowsWiderThanTheTable) {
    Table table({{"A"}});
    EXPECT_THROW(table.add_row({"1", "2"}), std::invalid_argument);
}

} // namespace
} // namespace diowq::text
