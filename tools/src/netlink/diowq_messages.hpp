// SPDX-License-Identifier: GPL-2.0
// The diowq family's requests and replies (include/uapi/diowq.h), as pure functions: requests are
// built into messages, replies parsed into the plain structs of model/. No socket involved.
//
// Every request carries genlmsghdr.version = DIOWQ_GENL_VERSION. Doit requests ask for an ack
// (NLM_F_ACK) so that the end of a request without reply data is seen; the dump asks for none.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "netlink/message.hpp"

namespace diowq::nl {

NlMessage build_get_config_request(std::uint16_t family_id);
NlMessage build_set_config_request(std::uint16_t family_id, const ConfigChange& change);
// GET_SB doit: the superblock of the mount whose root `mount_root_fd` is.
NlMessage build_get_superblock_request(std::uint16_t family_id, int mount_root_fd);
// GET_SB dump: every tuned superblock.
NlMessage build_list_superblocks_request(std::uint16_t family_id);
NlMessage build_tune_request(std::uint16_t family_id, int mount_root_fd, std::optional<Mode> mode);
// TUNE in mode cgroup: MODE cgroup, CGROUP_FD and, when set, CGROUP_WEIGHT.
NlMessage build_tune_cgroup_request(std::uint16_t family_id, int mount_root_fd,
                                    const CgroupRequest& cgroup);
NlMessage build_untune_request(std::uint16_t family_id, int mount_root_fd);
NlMessage build_untune_all_request(std::uint16_t family_id);

// Replies; each throws ProtocolError when the message is not the reply it should be.
Config parse_config_reply(std::span<const std::uint8_t> message);
SuperblockStatus parse_superblock_reply(std::span<const std::uint8_t> message);
// A message of the "events" group: nullopt when it is not a DIOWQ_CMD_EVENT (a later module may
// multicast other commands there); ProtocolError when it is one but malformed.
std::optional<Event> parse_event(std::span<const std::uint8_t> message);

// One datagram received on the events group: its events in order, and a line for each message
// that had to be skipped. Messages of other families are ignored, except the controller's
// announcement that the family itself is gone (the module was unloaded: no event can follow).
struct DecodedEvents {
    std::vector<Event> events;
    std::vector<std::string> problems;
    bool family_removed = false;
};
DecodedEvents parse_event_datagram(std::span<const std::uint8_t> datagram, std::uint16_t family_id);

} // namespace diowq::nl
