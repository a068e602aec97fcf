// SPDX-License-Identifier: GPL-2.0
#include "output/render.hpp"

#include <fmt/format.h>

#include "output/table.hpp"

namespace diowq::render {

namespace {

constexpr const char* absent = "-";

std::string or_absent(const std::optional<std::string>& value) {
    return value && !value->empty() ? *value : absent;
}

template <typename T>
std::string number_or_absent(const std::optional<T>& value) {
    return value ? fmt::format("{}", *value) : absent;
}

std::optional<std::string> dev_of(const SuperblockStatus& sb) {
    if (!sb.dev_major || !sb.dev_minor) {
        return std::nullopt;
    }
    return fmt::format("{}:{}", *sb.dev_major, *sb.dev_minor);
}

std::optional<std::string> mode_of(const std::optional<Mode>& mode) {
    return mode ? std::optional(mode_name(*mode)) : std::nullopt;
}

std::optional<std::string> origin_of(const SuperblockStatus& sb) {
    return sb.origin ? std::optional(origin_name(*sb.origin)) : std::nullopt;
}

std::string list_or_none(const std::vector<std::string>& items) {
    return items.empty() ? "none" : join_list(items);
}

void add_superblock_fields(json::Object& object, const SuperblockStatus& sb) {
    object.emplace_back("id", sb.id);
    object.emplace_back("fstype", json::Value::optional(sb.fstype));
    object.emplace_back("source", json::Value::optional(sb.source));
    object.emplace_back("dev", json::Value::optional(dev_of(sb)));
    object.emplace_back("mode", json::Value::optional(mode_of(sb.mode)));
    object.emplace_back("workqueue", json::Value::optional(sb.workqueue));
    object.emplace_back("origin", json::Value::optional(origin_of(sb)));
    object.emplace_back("swaps", json::Value::optional(sb.swaps));
    object.emplace_back("tuned_ms", json::Value::optional(sb.tuned_ms));
    // Mode cgroup only: other modes keep the keys they always had.
    if (sb.cgroup) {
        object.emplace_back("cgroup", *sb.cgroup);
        object.emplace_back("cgroup_weight", json::Value::optional(sb.cgroup_weight));
        object.emplace_back("diverted", json::Value::optional(sb.diverted));
    }
}

bool any_cgroup(const std::vector<TunedFilesystem>& tuned) {
    for (const auto& fs : tuned) {
        if (fs.superblock.cgroup) {
            return true;
        }
    }
    return false;
}

// With a filesystem in mode cgroup, three more columns: its leaf cgroup, the leaf's weight and
// the completions its thread ran.
std::string superblocks_table(const std::vector<TunedFilesystem>& tuned) {
    using text::Align;
    const bool cgroups = any_cgroup(tuned);
    std::vector<text::Column> columns{{"ID"},
                                      {"FSTYPE"},
                                      {"SOURCE"},
                                      {"DEV"},
                                      {"MODE"},
                                      {"WORKQUEUE"},
                                      {"ORIGIN"},
                                      {"SWAPS", Align::right},
                                      {"TUNED FOR", Align::right},
                                      {"MOUNTED ON"}};
    if (cgroups) {
        columns.push_back({"CGROUP"});
        columns.push_back({"WEIGHT", Align::right});
        columns.push_back({"DIVERTED", Align::right});
    }
    text::Table table(columns);
    for (const auto& fs : tuned) {
        const SuperblockStatus& sb = fs.superblock;
        std::vector<std::string> row{sb.id,
                                     or_absent(sb.fstype),
                                     or_absent(sb.source),
                                     or_absent(dev_of(sb)),
                                     or_absent(mode_of(sb.mode)),
                                     or_absent(sb.workqueue),
                                     or_absent(origin_of(sb)),
                                     number_or_absent(sb.swaps),
                                     sb.tuned_ms ? duration(*sb.tuned_ms) : absent,
                                     fs.mountpoints.empty() ? absent
                                                            : join_list(fs.mountpoints, " ")};
        if (cgroups) {
            row.push_back(or_absent(sb.cgroup));
            row.push_back(number_or_absent(sb.cgroup_weight));
            row.push_back(number_or_absent(sb.diverted));
        }
        table.add_row(row);
    }
    return table.render();
}

} // namespace

std::string duration(std::uint64_t ms) {
    constexpr std::uint64_t second = 1000;
    constexpr std::uint64_t minute = 60 * second;
    constexpr std::uint64_t hour = 60 * minute;
    constexpr std::uint64_t day = 24 * hour;
    if (ms < second) {
        return fmt::format("{}ms", ms);
    }
    if (ms < minute) {
        return fmt::format("{}s", ms / second);
    }
    if (ms < hour) {
        return fmt::format("{}m{:02}s", ms / minute, ms % minute / second);
    }
    if (ms < day) {
        return fmt::format("{}h{:02}m", ms / hour, ms % hour / minute);
    }
    return fmt::format("{}d{:02}h", ms / day, ms % day / hour);
}

json::Value superblock_json(const TunedFilesystem& fs) {
    json::Object object;
    add_superblock_fields(object, fs.superblock);
    object.emplace_back("mountpoints", json::Value::strings(fs.mountpoints));
    return object;
}

std::string config_text(const Config& config) {
    text::Table table({{}, {}});
    table.add_row(
        {"module version", config.module_version.empty() ? absent : config.module_version});
    table.add_row({"supported fstypes", list_or_none(config.supported_fstypes)});
    table.add_row({"default mode", or_absent(mode_of(config.default_mode))});
    table.add_row({"auto fstypes", list_or_none(config.auto_fstypes)});
    table.add_row({"auto rescan",
                   config.auto_rescan_ms ? fmt::format("{}ms", *config.auto_rescan_ms) : absent});
    return table.render();
}

json::Value config_json(const Config& config) {
    return json::Object{
        {"module_version", config.module_version},
        {"supported_fstypes", json::Value::strings(config.supported_fstypes)},
        {"default_mode", json::Value::optional(mode_of(config.default_mode))},
        {"auto_fstypes", json::Value::strings(config.auto_fstypes)},
        {"auto_rescan_ms", json::Value::optional(config.auto_rescan_ms)},
    };
}

std::string status_text(const Config& config, const std::vector<TunedFilesystem>& tuned) {
    std::string out = config_text(config);
    out += '\n';
    out += tuned.empty() ? "no filesystem is tuned\n" : superblocks_table(tuned);
    return out;
}

json::Value status_json(const Config& config, const std::vector<TunedFilesystem>& tuned) {
    json::Array superblocks;
    for (const auto& fs : tuned) {
        superblocks.push_back(superblock_json(fs));
    }
    return json::Object{{"config", config_json(config)}, {"superblocks", superblocks}};
}

std::string path_status_text(const std::string& path, const std::optional<TunedFilesystem>& fs) {
    if (!fs) {
        return fmt::format("{}: not tuned\n", path);
    }
    return superblocks_table({*fs});
}

json::Value path_status_json(const std::string& path, const std::optional<TunedFilesystem>& fs) {
    return json::Object{{"path", path},
                        {"tuned", fs.has_value()},
                        {"superblock", fs ? superblock_json(*fs) : json::Value()}};
}

std::string event_text(const Event& event) {
    const SuperblockStatus& sb = event.superblock;
    std::string line = fmt::format("{} {}", event_name(event.kind), sb.id);
    const auto add = [&line](const char* key, const std::optional<std::string>& value) {
        if (value && !value->empty()) {
            line += fmt::format(" {} {}", key, *value);
        }
    };
    add("fstype", sb.fstype);
    add("source", sb.source);
    add("dev", dev_of(sb));
    add("mode", mode_of(sb.mode));
    add("workqueue", sb.workqueue);
    add("origin", origin_of(sb));
    add("cgroup", sb.cgroup);
    return line + '\n';
}

json::Value event_json(const Event& event) {
    json::Object object{{"event", event_name(event.kind)}};
    add_superblock_fields(object, event.superblock);
    return object;
}

std::string version_text(const VersionInfo& info) {
    text::Table table({{}, {}});
    table.add_row({"diowqctl", info.tool});
    // With a family but no module version, the module is there but could not be asked.
    table.add_row({"module", info.module           ? *info.module
                             : info.family_version ? absent
                                                   : "not loaded"});
    table.add_row(
        {"netlink family", info.family_version
                               ? fmt::format("{} version {} (diowqctl speaks {})", DIOWQ_GENL_NAME,
                                             *info.family_version, info.expected_family_version)
                               : absent});
    return table.render();
}

json::Value version_json(const VersionInfo& info) {
    return json::Object{
        {"tool_version", info.tool},
        {"module_version", json::Value::optional(info.module)},
        {"family_version", json::Value::optional(info.family_version)},
        {"expected_family_version", info.expected_family_version},
    };
}

} // namespace diowq::render
