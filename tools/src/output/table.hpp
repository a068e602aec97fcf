// SPDX-License-Identifier: GPL-2.0
// Aligned text tables for people: columns padded to their widest cell, two spaces apart, numbers
// right-aligned, no trailing blanks.
#pragma once

#include <string>
#include <vector>

namespace diowq::text {

enum class Align { left, right };

struct Column {
    std::string title; // empty titles: no header line (a key/value list)
    Align align = Align::left;
};

class Table {
public:
    explicit Table(std::vector<Column> columns)
        : columns_(std::move(columns)) {}

    // Missing cells are blank, extra ones are an error (std::invalid_argument).
    void add_row(std::vector<std::string> cells);
    std::string render() const;

private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

} // namespace diowq::text
