// SPDX-License-Identifier: GPL-2.0
#include "config/config_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <uapi/diowq.h>

#include <fmt/format.h>

namespace diowq::config {

namespace {

// Longest file we read: a config is a few lines, anything bigger is not one.
constexpr std::size_t max_file_size = 1 << 20;

std::vector<std::string> words_of(std::string_view line) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) {
            ++i;
        }
        if (i == line.size() || line[i] == '#') {
            break;
        }
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
            ++i;
        }
        words.emplace_back(line.substr(start, i - start));
    }
    return words;
}

bool valid_fstype_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    });
}

class Parser {
public:
    explicit Parser(const std::string& name) { file_.name = name; }

    void statement(unsigned line, const std::vector<std::string>& words) {
        line_ = line;
        const std::string& keyword = words.front();
        const std::vector<std::string> args(words.begin() + 1, words.end());
        if (keyword == "mode") {
            mode(args);
        } else if (keyword == "fstype") {
            fstype(args);
        } else if (keyword == "mount") {
            mount(args);
        } else {
            problem(
                fmt::format("unknown statement '{}' (statements: mode, fstype, mount)", keyword));
        }
    }

    ConfigFile finish() {
        if (!problems_.empty()) {
            throw ConfigError(problems_ + "nothing was changed");
        }
        return std::move(file_);
    }

private:
    void problem(const std::string& what) { problems_ += file_.where(line_) + what + '\n'; }

    std::optional<Mode> checked_mode(const std::string& word, const char* statement) {
        auto mode = parse_mode(word);
        if (!mode) {
            problem(fmt::format("{}: unknown mode '{}' (modes: {})", statement, word,
                                default_mode_names()));
        } else if (!can_be_default(*mode)) {
            // A config file names no cgroup directory for it.
            problem(fmt::format("{}: mode '{}' is not supported in a config file (use diowqctl "
                                "tune --mode cgroup --cgroup DIR)",
                                statement, word));
            return std::nullopt;
        }
        return mode;
    }

    void mode(const std::vector<std::string>& args) {
        if (args.size() != 1) {
            problem(fmt::format("mode takes one mode ({})", default_mode_names()));
            return;
        }
        if (file_.default_mode_line != 0) {
            problem(fmt::format("mode is set twice (first on line {})", file_.default_mode_line));
            return;
        }
        if (const auto m = checked_mode(args[0], "mode")) {
            file_.default_mode = m;
            file_.default_mode_line = line_;
        }
    }

    void fstype(const std::vector<std::string>& args) {
        std::vector<std::string> names;
        for (const auto& arg : args) {
            const auto parts = split_list(arg);
            names.insert(names.end(), parts.begin(), parts.end());
        }
        if (names.empty()) {
            problem("fstype takes filesystem types (e.g. fstype xfs ext4) or none");
            return;
        }
        if (std::find(names.begin(), names.end(), "none") != names.end()) {
            fstype_none(names.size());
            return;
        }
        if (file_.fstypes && file_.fstypes->empty()) {
            problem(
                fmt::format("fstype conflicts with 'fstype none' on line {}", file_.fstypes_line));
            return;
        }
        for (const auto& name : names) {
            if (!valid_fstype_name(name)) {
                problem(
                    fmt::format("fstype: '{}' is not a filesystem type like xfs or ext4", name));
                return;
            }
            if (file_.fstypes && std::find(file_.fstypes->begin(), file_.fstypes->end(), name) !=
                                     file_.fstypes->end()) {
                continue; // listed before: folded, as the module does
            }
            if (!file_.fstypes) {
                file_.fstypes.emplace();
                file_.fstypes_line = line_;
            }
            file_.fstypes->push_back(name);
        }
        if (join_list(*file_.fstypes).size() > DIOWQ_AUTO_FSTYPES_MAXLEN) {
            problem(fmt::format("fstype: the list is longer than the module takes ({} characters)",
                                DIOWQ_AUTO_FSTYPES_MAXLEN));
        }
    }

    void fstype_none(std::size_t nr_names) {
        if (nr_names != 1) {
            problem("fstype: none cannot be combined with types");
        } else if (file_.fstypes) {
            problem(fmt::format("fstype none conflicts with the fstype on line {}",
                                file_.fstypes_line));
        } else {
            file_.fstypes.emplace();
            file_.fstypes_line = line_;
        }
    }

    void mount(const std::vector<std::string>& args) {
        if (args.empty() || args.size() > 2) {
            problem(fmt::format("mount takes a mount point and optionally a mode ({})",
                                default_mode_names()));
            return;
        }
        const auto path = normalize_mount_path(args[0]);
        if (!path) {
            problem(fmt::format("mount: '{}' is not an absolute path without . or ..", args[0]));
            return;
        }
        MountEntry entry{*path, std::nullopt, line_};
        if (args.size() == 2) {
            entry.mode = checked_mode(args[1], "mount");
            if (!entry.mode) {
                return;
            }
        }
        const auto seen = std::find_if(file_.mounts.begin(), file_.mounts.end(),
                                       [&](const MountEntry& m) { return m.path == *path; });
        if (seen != file_.mounts.end()) {
            problem(fmt::format("mount: {} is listed twice (first on line {})", *path, seen->line));
            return;
        }
        file_.mounts.push_back(std::move(entry));
    }

    ConfigFile file_;
    std::string problems_;
    unsigned line_ = 0;
};

} // namespace

std::string ConfigFile::where(unsigned line) const {
    return fmt::format("{}:{}: ", name, line);
}

std::optional<std::string> normalize_mount_path(std::string_view path) {
    if (path.empty() || path.front() != '/') {
        return std::nullopt;
    }
    std::string out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') {
            ++i;
        }
        const std::size_t start = i;
        while (i < path.size() && path[i] != '/') {
            ++i;
        }
        const auto part = path.substr(start, i - start);
        if (part == "." || part == "..") {
            return std::nullopt;
        }
        if (!part.empty()) {
            out += '/';
            out += part;
        }
    }
    return out.empty() ? "/" : out;
}

ConfigFile parse_config(std::string_view text, const std::string& name) {
    Parser parser(name);
    unsigned line_number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        ++line_number;
        const auto words = words_of(text.substr(pos, end - pos));
        if (!words.empty()) {
            parser.statement(line_number, words);
        }
        pos = end + 1;
    }
    return parser.finish();
}

ConfigFile read_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Failure(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw Failure(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    }
    const std::string content = text.str();
    if (content.size() > max_file_size) {
        throw ConfigError(fmt::format(
            "{}: too big for a config file ({} bytes)\nnothing was changed", path, content.size()));
    }
    if (content.find('\0') != std::string::npos) {
        throw ConfigError(fmt::format("{}: not a text file\nnothing was changed", path));
    }
    return parse_config(content, path);
}

} // namespace diowq::config
