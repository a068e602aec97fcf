// SPDX-License-Identifier: GPL-2.0
#include "output/table.hpp"

#include <algorithm>
#include <stdexcept>

namespace diowq::text {

namespace {

// Display width: UTF-8 continuation bytes take no column of their own.
std::size_t width_of(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

} // namespace

void Table::add_row(std::vector<std::string> cells) {
    if (cells.size() > columns_.size()) {
        throw std::invalid_argument("table row has more cells than the table has columns");
    }
    cells.resize(columns_.size());
    rows_.push_back(std::move(cells));
}

std::string Table::render() const {
    const bool has_header = std::any_of(columns_.begin(), columns_.end(),
                                        [](const Column& c) { return !c.title.empty(); });
    std::vector<std::size_t> widths(columns_.size(), 0);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (has_header) {
            widths[i] = width_of(columns_[i].title);
        }
        for (const auto& row : rows_) {
            widths[i] = std::max(widths[i], width_of(row[i]));
        }
    }

    std::string out;
    const auto emit = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const std::size_t pad = widths[i] - width_of(cells[i]);
            if (i > 0) {
                line += "  ";
            }
            if (columns_[i].align == Align::right) {
                line.append(pad, ' ');
                line += cells[i];
            } else {
                line += cells[i];
                line.append(pad, ' ');
            }
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out += line;
        out += '\n';
    };

    if (has_header) {
        std::vector<std::string> titles;
        for (const auto& column : columns_) {
            titles.push_back(column.title);
        }
        emit(titles);
    }
    for (const auto& row : rows_) {
        emit(row);
    }
    return out;
}

} // namespace diowq::text
