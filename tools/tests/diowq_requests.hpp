// SPDX-License-Identifier: GPL-2.0
// What the tests of the diowq family's requests share: the family id they build for, the bytes
// of a message the tool built, and the start of a request as it must leave the tool (seq and port
// are filled in when it is sent), written with MessageBytes, independently of the builders.
#pragma once

#include <cstdint>
#include <vector>

#include <uapi/diowq.h>

#include "netlink/message.hpp"
#include "netlink_bytes.hpp"

namespace diowq::test {

constexpr std::uint16_t family_id = 0x1f;

inline std::vector<std::uint8_t> bytes_of(const nl::NlMessage& msg) {
    const auto bytes = msg.bytes();
    return {bytes.begin(), bytes.end()};
}

inline MessageBytes request(std::uint16_t flags, std::uint8_t cmd) {
    MessageBytes msg(family_id, static_cast<std::uint16_t>(NLM_F_REQUEST | flags), 0, 0);
    msg.genl(cmd, DIOWQ_GENL_VERSION);
    return msg;
}

} // namespace diowq::test
