// SPDX-License-Identifier: GPL-2.0
#include "netlink/extack.hpp"

#include <cstring>

#include <linux/netlink.h>

#include <fmt/format.h>

#include "netlink/message.hpp"

namespace diowq::nl {

namespace {

constexpr std::size_t align4(std::size_t n) {
    return (n + 3) & ~std::size_t{3};
}

// Reads the TLVs the kernel appends after an ack or done payload (struct nlattr, 4-byte aligned).
// Unknown TLV types are skipped: newer kernels add some (policy, missing attribute).
void parse_ack_tlvs(std::span<const std::uint8_t> tlvs, KernelAck& ack) {
    while (tlvs.size() >= sizeof(nlattr)) {
        nlattr attr{};
        std::memcpy(&attr, tlvs.data(), sizeof(attr));
        if (attr.nla_len < sizeof(attr) || attr.nla_len > tlvs.size()) {
            throw ProtocolError("malformed extended ack attribute");
        }
        const auto payload = tlvs.subspan(sizeof(attr), attr.nla_len - sizeof(attr));
        switch (attr.nla_type & NLA_TYPE_MASK) {
        case NLMSGERR_ATTR_MSG: {
            const auto* text = reinterpret_cast<const char*>(payload.data());
            ack.message.assign(text, strnlen(text, payload.size()));
            break;
        }
        case NLMSGERR_ATTR_OFFS:
            if (payload.size() >= sizeof(std::uint32_t)) {
                std::uint32_t offset = 0;
                std::memcpy(&offset, payload.data(), sizeof(offset));
                ack.bad_attribute_offset = offset;
            }
            break;
        default:
            break;
        }
        tlvs = tlvs.subspan(std::min(align4(attr.nla_len), tlvs.size()));
    }
}

// The error code the kernel puts first in both payloads is a negative errno.
int read_error(std::span<const std::uint8_t> payload) {
    std::int32_t error = 0;
    std::memcpy(&error, payload.data(), sizeof(error));
    return -error;
}

} // namespace

KernelAck parse_error_message(std::span<const std::uint8_t> message) {
    const nlmsghdr hdr = read_header(message);
    if (hdr.nlmsg_type != NLMSG_ERROR) {
        throw ProtocolError("not an NLMSG_ERROR message");
    }
    const auto payload = message.subspan(NLMSG_HDRLEN, hdr.nlmsg_len - NLMSG_HDRLEN);
    if (payload.size() < sizeof(nlmsgerr)) {
        throw ProtocolError("truncated NLMSG_ERROR message");
    }
    KernelAck ack;
    ack.error = read_error(payload);

    // struct nlmsgerr embeds the request's header; unless the ack is capped (NETLINK_CAP_ACK, or
    // any ack of a success) the rest of the request follows it, then the TLVs.
    std::size_t tlv_offset = align4(sizeof(nlmsgerr));
    if (!(hdr.nlmsg_flags & NLM_F_CAPPED)) {
        nlmsgerr err{};
        std::memcpy(&err, payload.data(), sizeof(err));
        if (err.msg.nlmsg_len > NLMSG_HDRLEN) {
            tlv_offset += align4(err.msg.nlmsg_len - NLMSG_HDRLEN);
        }
    }
    if ((hdr.nlmsg_flags & NLM_F_ACK_TLVS) && tlv_offset < payload.size()) {
        parse_ack_tlvs(payload.subspan(tlv_offset), ack);
    }
    return ack;
}

KernelAck parse_done_message(std::span<const std::uint8_t> message) {
    const nlmsghdr hdr = read_header(message);
    if (hdr.nlmsg_type != NLMSG_DONE) {
        throw ProtocolError("not an NLMSG_DONE message");
    }
    const auto payload = message.subspan(NLMSG_HDRLEN, hdr.nlmsg_len - NLMSG_HDRLEN);
    KernelAck ack;
    // Old kernels send an empty NLMSG_DONE; since 4.x it carries the dump's error code.
    if (payload.size() >= sizeof(std::int32_t)) {
        ack.error = read_error(payload);
        if ((hdr.nlmsg_flags & NLM_F_ACK_TLVS) && payload.size() > sizeof(std::int32_t)) {
            parse_ack_tlvs(payload.subspan(align4(sizeof(std::int32_t))), ack);
        }
    }
    return ack;
}

std::string describe(const KernelAck& ack) {
    std::string reason = std::strerror(ack.error);
    if (ack.message.empty()) {
        return reason;
    }
    return fmt::format("{}; kernel: {}", reason, ack.message);
}

KernelError::KernelError(KernelAck ack)
    : std::runtime_error(describe(ack))
    , ack_(std::move(ack)) {}

} // namespace diowq::nl
