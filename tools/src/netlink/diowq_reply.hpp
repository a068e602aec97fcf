// SPDX-License-Identifier: GPL-2.0
// What the builders and parsers of the diowq family's messages share (diowq_messages.cpp,
// latency_messages.cpp): the policy replies are checked against, the start of every request, and
// the check that a reply answers the command it should.
#pragma once

#include <uapi/diowq.h>

#include "netlink/attributes.hpp"
#include "netlink/message.hpp"

struct nla_policy;

namespace diowq::nl {

// Indexed by attribute type, DIOWQ_A_MAX + 1 entries.
const nla_policy* diowq_reply_policy();

// nlmsghdr (NLM_F_REQUEST | flags) + genlmsghdr (cmd, DIOWQ_GENL_VERSION).
NlMessage start_request(std::uint16_t family_id, int flags, diowq_cmd cmd);

// Parses a reply against the policy; throws ProtocolError when it is malformed or answers another
// command than `expected`. `what` names it in the message ("GET_SB reply").
GenlAttributes parse_reply(std::span<const std::uint8_t> message, diowq_cmd expected,
                           const char* what);

} // namespace diowq::nl
