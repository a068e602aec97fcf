// SPDX-License-Identifier: GPL-2.0
#include "system/mountinfo.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace diowq::sys {

namespace {

// The kernel escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            const auto digits = field.substr(i + 1, 3);
            if (std::all_of(digits.begin(), digits.end(),
                            [](char c) { return c >= '0' && c <= '7'; })) {
                out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 +
                                         (digits[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += field[i];
    }
    return out;
}

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t pos = 0;
    while (pos < line.size()) {
        const std::size_t end = std::min(line.find(' ', pos), line.size());
        if (end > pos) {
            fields.push_back(line.substr(pos, end - pos));
        }
        pos = end + 1;
    }
    return fields;
}

// "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
// six fixed fields, optional fields up to "-", then type, source, super options.
std::optional<MountInfoEntry> parse_line(std::string_view line) {
    const auto fields = split_fields(line);
    const auto separator = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 6 || separator == fields.end() || separator - fields.begin() < 6 ||
        fields.end() - separator < 3) {
        return std::nullopt;
    }
    const auto colon = fields[2].find(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    const auto id = number<std::uint64_t>(fields[0]);
    const auto major = number<std::uint32_t>(fields[2].substr(0, colon));
    const auto minor = number<std::uint32_t>(fields[2].substr(colon + 1));
    if (!id || !major || !minor) {
        return std::nullopt;
    }
    return MountInfoEntry{*id,
                          *major,
                          *minor,
                          unescape(fields[3]),
                          unescape(fields[4]),
                          unescape(separator[1]),
                          unescape(separator[2])};
}

} // namespace

std::vector<MountInfoEntry> parse_mountinfo(std::string_view text) {
    std::vector<MountInfoEntry> entries;
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('\n'), text.size());
        if (auto entry = parse_line(text.substr(0, end))) {
            entries.push_back(std::move(*entry));
        }
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    return entries;
}

std::vector<MountInfoEntry> read_mountinfo() {
    std::ifstream file("/proc/self/mountinfo");
    std::ostringstream text;
    text << file.rdbuf();
    return parse_mountinfo(text.str());
}

std::vector<std::string> mountpoints_of(const std::vector<MountInfoEntry>& mounts,
                                        std::uint32_t major, std::uint32_t minor) {
    std::vector<std::string> points;
    for (const auto& mount : mounts) {
        if (mount.major == major && mount.minor == minor && mount.root == "/" &&
            std::find(points.begin(), points.end(), mount.mount_point) == points.end()) {
            points.push_back(mount.mount_point);
        }
    }
    return points;
}

} // namespace diowq::sys
