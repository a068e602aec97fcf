// SPDX-License-Identifier: GPL-2.0
// A generic netlink socket (RAII over libnl's nl_sock) that sends our requests and reads the
// kernel's answers, with extended acks switched on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "netlink/message.hpp"
#include "netlink/reply_reader.hpp"

struct nl_sock;

namespace diowq::nl {

class GenlSocket {
public:
    // Opens and connects the socket; throws std::system_error.
    GenlSocket();

    // Sends `request` and hands every data message of its replies to `on_message` until the
    // request is complete; throws KernelError when the kernel refuses it. Returns the extended ack
    // message of a successful request (a warning), usually empty.
    std::string transact(NlMessage& request, const MessageHandler& on_message);

    // Joins a multicast group: events arrive through receive().
    void join_group(std::uint32_t group_id);

    // Blocks for one datagram; throws std::system_error (ENOBUFS: events were dropped).
    std::vector<std::uint8_t> receive();

private:
    struct Free {
        void operator()(nl_sock* sock) const;
    };
    std::unique_ptr<nl_sock, Free> sock_;
};

} // namespace diowq::nl
