// SPDX-License-Identifier: GPL-2.0
// /etc/diowq.conf: what `diowqctl apply` makes true. One statement per line, words separated by
// blanks, `#` starts a comment:
//
//   mode unbound              the module's default mode (default_mode); at most once
//   fstype xfs ext4           tune every filesystem of these types (auto_fstypes); may repeat;
//                             `fstype none` empties the list
//   mount /srv/data           tune the filesystem mounted here, in the default mode
//   mount /srv/logs highpri   ... in this mode
//
// What the file does not mention is left as it is. Parsing checks only the text; whether the
// module supports a type and whether a path is a mount point is checked when the file is applied.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "model/model.hpp"

namespace diowq::config {

inline constexpr const char* default_path = "/etc/diowq.conf";

struct MountEntry {
    std::string path;         // absolute, without "//", "." or a trailing "/"
    std::optional<Mode> mode; // none: the default mode
    unsigned line = 0;

    bool operator==(const MountEntry&) const = default;
};

struct ConfigFile {
    std::string name; // for messages: "/etc/diowq.conf"
    std::optional<Mode> default_mode;
    unsigned default_mode_line = 0;
    std::optional<std::vector<std::string>> fstypes; // set: replaces auto_fstypes
    unsigned fstypes_line = 0;                       // the first `fstype` line
    std::vector<MountEntry> mounts;

    // "NAME:LINE: " for messages about a statement.
    std::string where(unsigned line) const;
};

// The text is wrong (exit 2). Its message has one "FILE:LINE: problem" line per problem.
class ConfigError : public UsageError {
public:
    using UsageError::UsageError;
};

// Throws ConfigError listing every problem of the text.
ConfigFile parse_config(std::string_view text, const std::string& name);

// Reads and parses a file: diowq::Failure when it cannot be read, ConfigError when it is wrong.
ConfigFile read_config(const std::string& path);

// "/srv//data/" -> "/srv/data"; nullopt for a relative path or one with "." or ".." in it.
std::optional<std::string> normalize_mount_path(std::string_view path);

} // namespace diowq::config
