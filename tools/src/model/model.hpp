// SPDX-License-Identifier: GPL-2.0
// Plain data the tool talks about: the module's global configuration, one tuned superblock, one
// event. Enumerations keep the kernel's numbers so that a value added by a newer module is carried
// and shown as a number instead of being refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <uapi/diowq.h>

namespace diowq {

enum class Mode : std::uint32_t {
    highpri = DIOWQ_MODE_HIGHPRI,
    unbound = DIOWQ_MODE_UNBOUND,
    // Completions run in a thread of the module in a leaf cgroup below a directory each request
    // names: never a default mode, never in a config file (they name no directory).
    cgroup = DIOWQ_MODE_CGROUP,
};

enum class Origin : std::uint32_t {
    manual = DIOWQ_ORIGIN_MANUAL,
    automatic = DIOWQ_ORIGIN_AUTO,
};

enum class EventKind : std::uint32_t {
    tuned = DIOWQ_EVENT_TUNED,
    auto_tuned = DIOWQ_EVENT_AUTO_TUNED,
    mode_changed = DIOWQ_EVENT_MODE_CHANGED,
    untuned = DIOWQ_EVENT_UNTUNED,
    unmounted = DIOWQ_EVENT_UNMOUNTED,
    // Mode cgroup: the pod's cgroup had tasks and has none left, so the module switched the
    // filesystem to mode highpri and removed the leaf; the event carries the new state.
    cgroup_fallback = DIOWQ_EVENT_CGROUP_FALLBACK,
};

// Names as sysfs spells them ("highpri"); an unknown value becomes its number.
std::string mode_name(Mode mode);
std::optional<Mode> parse_mode(std::string_view name);
std::string origin_name(Origin origin);
std::string event_name(EventKind kind);

// "highpri, unbound, cgroup": for help texts and error messages.
std::string mode_names();
// "highpri, unbound": the modes that need no cgroup directory, which a default mode or a config
// file's mode can be.
std::string default_mode_names();
bool can_be_default(Mode mode);

// Mode cgroup: what a tune request names (an open cgroup v2 directory and the leaf's cpu.weight).
struct CgroupRequest {
    int dir_fd = -1;
    std::optional<std::uint32_t> weight; // none: the module's DIOWQ_CG_WEIGHT

    bool operator==(const CgroupRequest&) const = default;
};

// DIOWQ_CMD_GET_CONFIG.
struct Config {
    std::string module_version;
    std::vector<std::string> supported_fstypes;
    std::optional<Mode> default_mode;
    std::vector<std::string> auto_fstypes;
    std::optional<std::uint32_t> auto_rescan_ms;

    bool operator==(const Config&) const = default;
};

// DIOWQ_CMD_SET_CONFIG: only what is set is sent.
struct ConfigChange {
    std::optional<Mode> default_mode;
    std::optional<std::vector<std::string>> auto_fstypes; // empty: clear

    bool operator==(const ConfigChange&) const = default;
};

// One reply of DIOWQ_CMD_GET_SB. Only the id is required: anything else the module leaves out
// (an event about a superblock being untuned may have no queue any more) stays empty.
struct SuperblockStatus {
    std::string id;
    std::optional<std::string> fstype;
    std::optional<std::string> source;
    std::optional<std::uint32_t> dev_major;
    std::optional<std::uint32_t> dev_minor;
    std::optional<Mode> mode;
    std::optional<std::string> workqueue;
    std::optional<Origin> origin;
    std::optional<std::uint64_t> swaps;
    std::optional<std::uint64_t> tuned_ms;
    // Mode cgroup only: the leaf cgroup (as the tuning process saw its path), its cpu.weight,
    // and how many completions its thread ran.
    std::optional<std::string> cgroup;
    std::optional<std::uint32_t> cgroup_weight;
    std::optional<std::uint64_t> diverted;

    bool operator==(const SuperblockStatus&) const = default;
};

// One DIOWQ_CMD_EVENT multicast message.
struct Event {
    EventKind kind{};
    SuperblockStatus superblock;

    bool operator==(const Event&) const = default;
};

// A tuned superblock and where it is mounted (from /proc/self/mountinfo), for display.
struct TunedFilesystem {
    SuperblockStatus superblock;
    std::vector<std::string> mountpoints;

    bool operator==(const TunedFilesystem&) const = default;
};

// What `diowqctl version` reports; the module's parts are empty when it cannot be asked.
struct VersionInfo {
    std::string tool;
    std::optional<std::string> module;
    std::optional<std::uint32_t> family_version;
    std::uint32_t expected_family_version = DIOWQ_GENL_VERSION;
};

// Comma-separated lists as the module spells them ("xfs,ext4"; "" is the empty list).
std::vector<std::string> split_list(std::string_view text);
std::string join_list(const std::vector<std::string>& items, std::string_view separator = ",");

} // namespace diowq
