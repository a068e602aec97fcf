// SPDX-License-Identifier: GPL-2.0
// An owned libnl message and the few ways we fill one. Building a message needs no socket, so the
// exact bytes of every request can be checked by the unit tests.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>

struct nl_msg;
struct nlmsghdr;

namespace diowq::nl {

// A reply, event or ack that does not have the layout the uapi header promises.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class NlMessage {
public:
    NlMessage();

    nl_msg* get() const { return msg_.get(); }
    nlmsghdr* header() const;
    // The whole message as it goes on the wire (nlmsg_len bytes).
    std::span<const std::uint8_t> bytes() const;

    // Starts a generic netlink message: nlmsghdr + genlmsghdr. Flags beyond NLM_F_REQUEST are
    // explicit (NLM_F_ACK, NLM_F_DUMP): the socket adds none of its own.
    void put_genl_header(std::uint16_t family_id, int flags, std::uint8_t cmd,
                         std::uint8_t version);
    void put_u32(int type, std::uint32_t value);
    void put_s32(int type, std::int32_t value);
    void put_string(int type, std::string_view value); // NUL-terminated on the wire
    void put_flag(int type);

private:
    struct Free {
        void operator()(nl_msg* msg) const;
    };
    std::unique_ptr<nl_msg, Free> msg_;
};

// The netlink header of a received message, copied out of its bytes; throws ProtocolError when
// the bytes are shorter than a header or than the length it claims.
nlmsghdr read_header(std::span<const std::uint8_t> message);

} // namespace diowq::nl
