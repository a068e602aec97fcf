// SPDX-License-Identifier: GPL-2.0
#include "model/model.hpp"

#include <fmt/format.h>

namespace diowq {

namespace {

template <typename Enum>
std::string number_of(Enum value) {
    return fmt::format("{}", static_cast<std::uint32_t>(value));
}

} // namespace

std::string mode_name(Mode mode) {
    switch (mode) {
    case Mode::highpri:
        return DIOWQ_MODE_HIGHPRI_NAME;
    case Mode::unbound:
        return DIOWQ_MODE_UNBOUND_NAME;
    case Mode::cgroup:
        return DIOWQ_MODE_CGROUP_NAME;
    }
    return number_of(mode);
}

std::optional<Mode> parse_mode(std::string_view name) {
    if (name == DIOWQ_MODE_HIGHPRI_NAME) {
        return Mode::highpri;
    }
    if (name == DIOWQ_MODE_UNBOUND_NAME) {
        return Mode::unbound;
    }
    if (name == DIOWQ_MODE_CGROUP_NAME) {
        return Mode::cgroup;
    }
    return std::nullopt;
}

std::string mode_names() {
    return fmt::format("{}, {}", default_mode_names(), DIOWQ_MODE_CGROUP_NAME);
}

std::string default_mode_names() {
    return fmt::format("{}, {}", DIOWQ_MODE_HIGHPRI_NAME, DIOWQ_MODE_UNBOUND_NAME);
}

bool can_be_default(Mode mode) {
    return mode == Mode::highpri || mode == Mode::unbound;
}

std::string origin_name(Origin origin) {
    switch (origin) {
    case Origin::manual:
        return DIOWQ_ORIGIN_MANUAL_NAME;
    case Origin::automatic:
        return DIOWQ_ORIGIN_AUTO_NAME;
    }
    return number_of(origin);
}

std::string event_name(EventKind kind) {
    switch (kind) {
    case EventKind::tuned:
        return "tuned";
    case EventKind::auto_tuned:
        return "auto_tuned";
    case EventKind::mode_changed:
        return "mode_changed";
    case EventKind::untuned:
        return "untuned";
    case EventKind::unmounted:
        return "unmounted";
    case EventKind::cgroup_fallback:
        return "cgroup_fallback";
    }
    return number_of(kind);
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto comma = text.find(',');
        items.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return items;
}

std::string join_list(const std::vector<std::string>& items, std::string_view separator) {
    return fmt::format("{}", fmt::join(items, separator));
}

} // namespace diowq
