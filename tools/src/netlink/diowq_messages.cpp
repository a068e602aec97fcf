// SPDX-License-Identifier: GPL-2.0
#include "netlink/diowq_messages.hpp"

#include <array>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>

#include <fmt/format.h>

#include "netlink/attributes.hpp"
#include "netlink/diowq_reply.hpp"

namespace diowq::nl {

namespace {

// What a reply may carry, by type. DIOWQ_A_PAD (the padding of 64-bit attributes) stays
// unchecked and is never read, and so does DIOWQ_A_LATENCY_HIST, a binary whose length
// latency_messages.cpp checks.
const std::array<nla_policy, DIOWQ_A_MAX + 1> reply_policy = [] {
    std::array<nla_policy, DIOWQ_A_MAX + 1> policy{};
    policy[DIOWQ_A_VERSION].type = NLA_STRING;
    policy[DIOWQ_A_SUPPORTED_FSTYPES].type = NLA_STRING;
    policy[DIOWQ_A_DEFAULT_MODE].type = NLA_U32;
    policy[DIOWQ_A_AUTO_FSTYPES].type = NLA_STRING;
    policy[DIOWQ_A_AUTO_RESCAN_MS].type = NLA_U32;
    policy[DIOWQ_A_FD].type = NLA_S32;
    policy[DIOWQ_A_DEV_MAJOR].type = NLA_U32;
    policy[DIOWQ_A_DEV_MINOR].type = NLA_U32;
    policy[DIOWQ_A_MODE].type = NLA_U32;
    policy[DIOWQ_A_ALL].type = NLA_FLAG;
    policy[DIOWQ_A_SB_ID].type = NLA_STRING;
    policy[DIOWQ_A_FSTYPE].type = NLA_STRING;
    policy[DIOWQ_A_SOURCE].type = NLA_STRING;
    policy[DIOWQ_A_WORKQUEUE].type = NLA_STRING;
    policy[DIOWQ_A_ORIGIN].type = NLA_U32;
    policy[DIOWQ_A_SWAPS].type = NLA_U64;
    policy[DIOWQ_A_TUNED_MS].type = NLA_U64;
    policy[DIOWQ_A_EVENT].type = NLA_U32;
    policy[DIOWQ_A_PROBES].type = NLA_U8;
    policy[DIOWQ_A_WATCH_ALL].type = NLA_U8;
    policy[DIOWQ_A_WATCHED].type = NLA_NESTED;
    policy[DIOWQ_A_PROBE_NS].type = NLA_U64;
    policy[DIOWQ_A_PROBE_HITS].type = NLA_U64;
    policy[DIOWQ_A_UNMATCHED].type = NLA_U64;
    policy[DIOWQ_A_HIST_BUCKETS].type = NLA_U32;
    policy[DIOWQ_A_CPU].type = NLA_U32;
    policy[DIOWQ_A_CPU_ONLINE].type = NLA_U8;
    policy[DIOWQ_A_COMPLETIONS].type = NLA_U64;
    policy[DIOWQ_A_LATENCY_SUM_NS].type = NLA_U64;
    policy[DIOWQ_A_LATENCY_MAX_NS].type = NLA_U64;
    policy[DIOWQ_A_WORKER_PID].type = NLA_U32;
    policy[DIOWQ_A_WORKER_NICE].type = NLA_S32;
    policy[DIOWQ_A_CLEAR_MAX].type = NLA_FLAG;
    policy[DIOWQ_A_CGROUP_FD].type = NLA_S32;
    policy[DIOWQ_A_CGROUP_WEIGHT].type = NLA_U32;
    policy[DIOWQ_A_CGROUP].type = NLA_STRING;
    policy[DIOWQ_A_DIVERTED].type = NLA_U64;
    return policy;
}();

} // namespace

const nla_policy* diowq_reply_policy() {
    return reply_policy.data();
}

NlMessage start_request(std::uint16_t family_id, int flags, diowq_cmd cmd) {
    NlMessage msg;
    msg.put_genl_header(family_id, flags, static_cast<std::uint8_t>(cmd), DIOWQ_GENL_VERSION);
    return msg;
}

GenlAttributes parse_reply(std::span<const std::uint8_t> message, diowq_cmd expected,
                           const char* what) {
    GenlAttributes attrs(message, DIOWQ_A_MAX, reply_policy.data(), what);
    if (attrs.command() != expected) {
        throw ProtocolError(fmt::format("{} has command {}, expected {}", what, attrs.command(),
                                        static_cast<int>(expected)));
    }
    return attrs;
}

namespace {

template <typename Enum>
std::optional<Enum> enum_of(const std::optional<std::uint32_t>& value) {
    if (!value) {
        return std::nullopt;
    }
    return static_cast<Enum>(*value);
}

SuperblockStatus superblock_of(const GenlAttributes& attrs, const char* what) {
    auto id = attrs.string(DIOWQ_A_SB_ID);
    if (!id) {
        throw ProtocolError(fmt::format("{} without DIOWQ_A_SB_ID", what));
    }
    return SuperblockStatus{
        .id = std::move(*id),
        .fstype = attrs.string(DIOWQ_A_FSTYPE),
        .source = attrs.string(DIOWQ_A_SOURCE),
        .dev_major = attrs.u32(DIOWQ_A_DEV_MAJOR),
        .dev_minor = attrs.u32(DIOWQ_A_DEV_MINOR),
        .mode = enum_of<Mode>(attrs.u32(DIOWQ_A_MODE)),
        .workqueue = attrs.string(DIOWQ_A_WORKQUEUE),
        .origin = enum_of<Origin>(attrs.u32(DIOWQ_A_ORIGIN)),
        .swaps = attrs.u64(DIOWQ_A_SWAPS),
        .tuned_ms = attrs.u64(DIOWQ_A_TUNED_MS),
        .cgroup = attrs.string(DIOWQ_A_CGROUP),
        .cgroup_weight = attrs.u32(DIOWQ_A_CGROUP_WEIGHT),
        .diverted = attrs.u64(DIOWQ_A_DIVERTED),
    };
}

} // namespace

NlMessage build_get_config_request(std::uint16_t family_id) {
    return start_request(family_id, NLM_F_ACK, DIOWQ_CMD_GET_CONFIG);
}

NlMessage build_set_config_request(std::uint16_t family_id, const ConfigChange& change) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, DIOWQ_CMD_SET_CONFIG);
    if (change.default_mode) {
        msg.put_u32(DIOWQ_A_DEFAULT_MODE, static_cast<std::uint32_t>(*change.default_mode));
    }
    if (change.auto_fstypes) {
        msg.put_string(DIOWQ_A_AUTO_FSTYPES, join_list(*change.auto_fstypes));
    }
    return msg;
}

NlMessage build_get_superblock_request(std::uint16_t family_id, int mount_root_fd) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, DIOWQ_CMD_GET_SB);
    msg.put_s32(DIOWQ_A_FD, mount_root_fd);
    return msg;
}

NlMessage build_list_superblocks_request(std::uint16_t family_id) {
    return start_request(family_id, NLM_F_DUMP, DIOWQ_CMD_GET_SB);
}

NlMessage build_tune_request(std::uint16_t family_id, int mount_root_fd, std::optional<Mode> mode) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, DIOWQ_CMD_TUNE);
    msg.put_s32(DIOWQ_A_FD, mount_root_fd);
    if (mode) {
        msg.put_u32(DIOWQ_A_MODE, static_cast<std::uint32_t>(*mode));
    }
    return msg;
}

NlMessage build_tune_cgroup_request(std::uint16_t family_id, int mount_root_fd,
                                    const CgroupRequest& cgroup) {
    NlMessage msg = build_tune_request(family_id, mount_root_fd, Mode::cgroup);
    msg.put_s32(DIOWQ_A_CGROUP_FD, cgroup.dir_fd);
    if (cgroup.weight) {
        msg.put_u32(DIOWQ_A_CGROUP_WEIGHT, *cgroup.weight);
    }
    return msg;
}

NlMessage build_untune_request(std::uint16_t family_id, int mount_root_fd) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, DIOWQ_CMD_UNTUNE);
    msg.put_s32(DIOWQ_A_FD, mount_root_fd);
    return msg;
}

NlMessage build_untune_all_request(std::uint16_t family_id) {
    NlMessage msg = start_request(family_id, NLM_F_ACK, DIOWQ_CMD_UNTUNE);
    msg.put_flag(DIOWQ_A_ALL);
    return msg;
}

Config parse_config_reply(std::span<const std::uint8_t> message) {
    const auto attrs = parse_reply(message, DIOWQ_CMD_GET_CONFIG, "GET_CONFIG reply");
    return Config{
        .module_version = attrs.string(DIOWQ_A_VERSION).value_or(""),
        .supported_fstypes = split_list(attrs.string(DIOWQ_A_SUPPORTED_FSTYPES).value_or("")),
        .default_mode = enum_of<Mode>(attrs.u32(DIOWQ_A_DEFAULT_MODE)),
        .auto_fstypes = split_list(attrs.string(DIOWQ_A_AUTO_FSTYPES).value_or("")),
        .auto_rescan_ms = attrs.u32(DIOWQ_A_AUTO_RESCAN_MS),
    };
}

SuperblockStatus parse_superblock_reply(std::span<const std::uint8_t> message) {
    const auto attrs = parse_reply(message, DIOWQ_CMD_GET_SB, "GET_SB reply");
    return superblock_of(attrs, "GET_SB reply");
}

std::optional<Event> parse_event(std::span<const std::uint8_t> message) {
    const GenlAttributes attrs(message, DIOWQ_A_MAX, reply_policy.data(), "event");
    if (attrs.command() != DIOWQ_CMD_EVENT) {
        return std::nullopt;
    }
    const auto kind = attrs.u32(DIOWQ_A_EVENT);
    if (!kind) {
        throw ProtocolError("event without DIOWQ_A_EVENT");
    }
    return Event{static_cast<EventKind>(*kind), superblock_of(attrs, "event")};
}

namespace {

// CTRL_CMD_DELFAMILY for `family_id`, sent on the controller's "notify" group at rmmod.
bool announces_removal_of(std::span<const std::uint8_t> message, std::uint16_t family_id) {
    std::array<nla_policy, CTRL_ATTR_MAX + 1> policy{};
    policy[CTRL_ATTR_FAMILY_ID].type = NLA_U16;
    const GenlAttributes attrs(message, CTRL_ATTR_MAX, policy.data(), "controller notification");
    return attrs.command() == CTRL_CMD_DELFAMILY && attrs.u16(CTRL_ATTR_FAMILY_ID) == family_id;
}

} // namespace

DecodedEvents parse_event_datagram(std::span<const std::uint8_t> datagram,
                                   std::uint16_t family_id) {
    DecodedEvents decoded;
    while (datagram.size() >= NLMSG_HDRLEN) {
        nlmsghdr hdr{};
        try {
            hdr = read_header(datagram);
        } catch (const ProtocolError& e) {
            // The length is wrong: nothing after it can be found.
            decoded.problems.push_back(fmt::format("skipped a malformed datagram: {}", e.what()));
            break;
        }
        const auto message = datagram.subspan(0, hdr.nlmsg_len);
        datagram =
            datagram.subspan(std::min<std::size_t>(NLMSG_ALIGN(hdr.nlmsg_len), datagram.size()));
        try {
            if (hdr.nlmsg_type == GENL_ID_CTRL) {
                decoded.family_removed |= announces_removal_of(message, family_id);
                continue;
            }
            if (hdr.nlmsg_type != family_id) {
                continue;
            }
            if (auto event = parse_event(message)) {
                decoded.events.push_back(std::move(*event));
            }
        } catch (const ProtocolError& e) {
            decoded.problems.push_back(fmt::format("skipped a malformed event: {}", e.what()));
        }
    }
    return decoded;
}

} // namespace diowq::nl
