// SPDX-License-Identifier: GPL-2.0
// Resolving a generic netlink family through the controller (CTRL_CMD_GETFAMILY): its id, its
// version and its multicast groups.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlink/message.hpp"

namespace diowq::nl {

struct MulticastGroup {
    std::string name;
    std::uint32_t id = 0;

    bool operator==(const MulticastGroup&) const = default;
};

struct FamilyInfo {
    std::uint16_t id = 0;
    std::uint32_t version = 0;
    std::vector<MulticastGroup> groups;

    std::optional<std::uint32_t> group_id(std::string_view name) const;
    bool operator==(const FamilyInfo&) const = default;
};

NlMessage build_get_family_request(std::string_view name);
FamilyInfo parse_family_reply(std::span<const std::uint8_t> message);

} // namespace diowq::nl
