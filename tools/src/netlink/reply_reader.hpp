// SPDX-License-Identifier: GPL-2.0
// Follows the replies to one request through the datagrams the kernel sends: hands each data
// message to the caller and knows when the request is over. A doit request ends with its ack
// (we always ask for one, so that a request without reply data still gets an answer), a dump with
// NLMSG_DONE. Errors of either end it with a KernelError. Pure: the tests feed it bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace diowq::nl {

using MessageHandler = std::function<void(std::span<const std::uint8_t> message)>;

class ReplyReader {
public:
    explicit ReplyReader(std::uint32_t sequence)
        : sequence_(sequence) {}

    // Consumes one datagram (one or more netlink messages). Returns true when the request is
    // complete. Messages of other requests (an earlier, abandoned one) are skipped.
    bool feed(std::span<const std::uint8_t> datagram, const MessageHandler& on_message);

    // An extended ack message that came with a successful ack: a warning worth showing.
    const std::string& warning() const { return warning_; }

private:
    std::uint32_t sequence_;
    bool done_ = false;
    std::string warning_;
};

} // namespace diowq::nl
