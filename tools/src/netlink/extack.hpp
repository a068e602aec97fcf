// SPDX-License-Identifier: GPL-2.0
// What the kernel answers when a request ends: NLMSG_ERROR (an error, or an ack when the error is
// 0) and NLMSG_DONE (the end of a dump, which can carry an error too), each possibly followed by
// extended ack TLVs. libnl 3.7 does not parse those, so we do, from the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace diowq::nl {

struct KernelAck {
    int error = 0;                                     // 0, or a positive errno
    std::string message;                               // NLMSGERR_ATTR_MSG, may be empty
    std::optional<std::uint32_t> bad_attribute_offset; // NLMSGERR_ATTR_OFFS

    bool operator==(const KernelAck&) const = default;
};

// Parses a whole NLMSG_ERROR message; throws ProtocolError when it is malformed.
KernelAck parse_error_message(std::span<const std::uint8_t> message);

// Parses a whole NLMSG_DONE message (its payload, when present, is the dump's error).
KernelAck parse_done_message(std::span<const std::uint8_t> message);

// The kernel refused a request. what() is "strerror" or "strerror; kernel: message".
class KernelError : public std::runtime_error {
public:
    explicit KernelError(KernelAck ack);

    int error() const { return ack_.error; }
    const std::string& kernel_message() const { return ack_.message; }
    const KernelAck& ack() const { return ack_; }

private:
    KernelAck ack_;
};

// "Operation not permitted; kernel: msg", the text KernelError carries.
std::string describe(const KernelAck& ack);

} // namespace diowq::nl
