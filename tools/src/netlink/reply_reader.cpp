// SPDX-License-Identifier: GPL-2.0
#include "netlink/reply_reader.hpp"

#include <linux/netlink.h>

#include "netlink/extack.hpp"
#include "netlink/message.hpp"

namespace diowq::nl {

bool ReplyReader::feed(std::span<const std::uint8_t> datagram, const MessageHandler& on_message) {
    while (!done_ && datagram.size() >= NLMSG_HDRLEN) {
        const nlmsghdr hdr = read_header(datagram);
        const auto message = datagram.subspan(0, hdr.nlmsg_len);
        datagram =
            datagram.subspan(std::min<std::size_t>(NLMSG_ALIGN(hdr.nlmsg_len), datagram.size()));

        if (hdr.nlmsg_seq != sequence_) {
            continue;
        }
        switch (hdr.nlmsg_type) {
        case NLMSG_NOOP:
            break;
        case NLMSG_OVERRUN:
            throw ProtocolError("netlink receive buffer overrun");
        case NLMSG_ERROR: {
            KernelAck ack = parse_error_message(message);
            if (ack.error != 0) {
                throw KernelError(std::move(ack));
            }
            warning_ = std::move(ack.message);
            done_ = true;
            break;
        }
        case NLMSG_DONE: {
            KernelAck ack = parse_done_message(message);
            if (ack.error != 0) {
                throw KernelError(std::move(ack));
            }
            warning_ = std::move(ack.message);
            done_ = true;
            break;
        }
        default:
            on_message(message);
            break;
        }
    }
    return done_;
}

} // namespace diowq::nl
