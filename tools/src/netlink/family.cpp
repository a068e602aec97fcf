// SPDX-License-Identifier: GPL-2.0
#include "netlink/family.hpp"

#include <array>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>

#include "netlink/attributes.hpp"

namespace diowq::nl {

namespace {

// The controller's own requests carry version 1 (it accepts any).
constexpr std::uint8_t ctrl_version = 1;

const std::array<nla_policy, CTRL_ATTR_MAX + 1> family_policy = [] {
    std::array<nla_policy, CTRL_ATTR_MAX + 1> policy{};
    policy[CTRL_ATTR_FAMILY_ID].type = NLA_U16;
    policy[CTRL_ATTR_FAMILY_NAME].type = NLA_STRING;
    policy[CTRL_ATTR_VERSION].type = NLA_U32;
    policy[CTRL_ATTR_MCAST_GROUPS].type = NLA_NESTED;
    return policy;
}();

const std::array<nla_policy, CTRL_ATTR_MCAST_GRP_MAX + 1> group_policy = [] {
    std::array<nla_policy, CTRL_ATTR_MCAST_GRP_MAX + 1> policy{};
    policy[CTRL_ATTR_MCAST_GRP_NAME].type = NLA_STRING;
    policy[CTRL_ATTR_MCAST_GRP_ID].type = NLA_U32;
    return policy;
}();

} // namespace

std::optional<std::uint32_t> FamilyInfo::group_id(std::string_view name) const {
    for (const auto& group : groups) {
        if (group.name == name) {
            return group.id;
        }
    }
    return std::nullopt;
}

NlMessage build_get_family_request(std::string_view name) {
    NlMessage msg;
    msg.put_genl_header(GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, ctrl_version);
    msg.put_string(CTRL_ATTR_FAMILY_NAME, name);
    return msg;
}

FamilyInfo parse_family_reply(std::span<const std::uint8_t> message) {
    const GenlAttributes attrs(message, CTRL_ATTR_MAX, family_policy.data(), "family reply");
    const auto id = attrs.u16(CTRL_ATTR_FAMILY_ID);
    const auto version = attrs.u32(CTRL_ATTR_VERSION);
    if (!id || !version) {
        throw ProtocolError("family reply without id or version");
    }
    FamilyInfo family{*id, *version, {}};

    if (const nlattr* groups = attrs.get(CTRL_ATTR_MCAST_GROUPS)) {
        // A list of nests, each one group: their types are indexes and carry no meaning.
        nlattr* entry = nullptr;
        int remaining = 0;
        nla_for_each_nested(entry, const_cast<nlattr*>(groups), remaining) {
            const auto fields = parse_nested(entry, CTRL_ATTR_MCAST_GRP_MAX, group_policy.data(),
                                             "multicast group");
            if (fields[CTRL_ATTR_MCAST_GRP_NAME] == nullptr ||
                fields[CTRL_ATTR_MCAST_GRP_ID] == nullptr) {
                throw ProtocolError("multicast group without name or id");
            }
            family.groups.push_back({nla_get_string(fields[CTRL_ATTR_MCAST_GRP_NAME]),
                                     nla_get_u32(fields[CTRL_ATTR_MCAST_GRP_ID])});
        }
    }
    return family;
}

} // namespace diowq::nl
