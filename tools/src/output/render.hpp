// SPDX-License-Identifier: GPL-2.0
// Everything the tool prints on stdout, as pure functions of the model: aligned text for people,
// JSON for scripts. JSON carries raw values (milliseconds, numbers) and never prose; absent values
// are null, so every object of a kind has the same keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "output/json.hpp"

namespace diowq::render {

// "850ms", "12s", "3m12s", "2h05m", "3d04h": a duration for eyes.
std::string duration(std::uint64_t ms);

// `status`: the global configuration, then one row per tuned filesystem.
std::string status_text(const Config& config, const std::vector<TunedFilesystem>& tuned);
json::Value status_json(const Config& config, const std::vector<TunedFilesystem>& tuned);

// `status PATH`: the filesystem mounted at PATH, or that it is not tuned.
std::string path_status_text(const std::string& path, const std::optional<TunedFilesystem>& fs);
json::Value path_status_json(const std::string& path, const std::optional<TunedFilesystem>& fs);

// `auto` without options: the settings auto-tuning uses.
std::string config_text(const Config& config);
json::Value config_json(const Config& config);

// `monitor`: one line, or one object, per event.
std::string event_text(const Event& event);
json::Value event_json(const Event& event);

// `version`.
std::string version_text(const VersionInfo& info);
json::Value version_json(const VersionInfo& info);

json::Value superblock_json(const TunedFilesystem& fs);

} // namespace diowq::render
