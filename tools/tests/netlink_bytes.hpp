// SPDX-License-Identifier: GPL-2.0
// Builds netlink messages byte by byte, independently of libnl, the way the kernel lays them out:
// nlmsghdr, then (for generic netlink) genlmsghdr, then attributes, each padded to 4 bytes.
// The tests use it to write the replies, acks and events the module will send.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include <linux/genetlink.h>
#include <linux/netlink.h>

namespace diowq::test {

class MessageBytes {
public:
    MessageBytes(std::uint16_t type, std::uint16_t flags, std::uint32_t seq, std::uint32_t port = 0)
        : bytes_(NLMSG_HDRLEN, 0) {
        nlmsghdr hdr{};
        hdr.nlmsg_type = type;
        hdr.nlmsg_flags = flags;
        hdr.nlmsg_seq = seq;
        hdr.nlmsg_pid = port;
        std::memcpy(bytes_.data(), &hdr, sizeof(hdr));
    }

    MessageBytes& genl(std::uint8_t cmd, std::uint8_t version = 1) {
        genlmsghdr genl{};
        genl.cmd = cmd;
        genl.version = version;
        return raw(&genl, sizeof(genl));
    }

    MessageBytes& attr(std::uint16_t type, const void* data, std::size_t len) {
        nlattr attr{};
        attr.nla_type = type;
        attr.nla_len = static_cast<std::uint16_t>(sizeof(nlattr) + len);
        raw(&attr, sizeof(attr));
        return raw(data, len);
    }
    MessageBytes& u16(std::uint16_t type, std::uint16_t value) {
        return attr(type, &value, sizeof(value));
    }
    MessageBytes& u32(std::uint16_t type, std::uint32_t value) {
        return attr(type, &value, sizeof(value));
    }
    MessageBytes& s32(std::uint16_t type, std::int32_t value) {
        return attr(type, &value, sizeof(value));
    }
    MessageBytes& u64(std::uint16_t type, std::uint64_t value) {
        return attr(type, &value, sizeof(value));
    }
    // With its NUL, as nla_put_string() sends it.
    MessageBytes& str(std::uint16_t type, const std::string& value) {
        return attr(type, value.c_str(), value.size() + 1);
    }
    MessageBytes& flag(std::uint16_t type) { return attr(type, nullptr, 0); }

    MessageBytes& begin_nest(std::uint16_t type) {
        nests_.push_back(bytes_.size());
        return attr(type | NLA_F_NESTED, nullptr, 0);
    }
    MessageBytes& end_nest() {
        const std::size_t start = nests_.back();
        nests_.pop_back();
        const auto len = static_cast<std::uint16_t>(bytes_.size() - start);
        std::memcpy(bytes_.data() + start, &len, sizeof(len));
        return *this;
    }

    // Appends bytes and pads to 4, like the kernel's nla_put and nlmsg_append.
    MessageBytes& raw(const void* data, std::size_t len) {
        const auto* p = static_cast<const std::uint8_t*>(data);
        if (len > 0) {
            bytes_.insert(bytes_.end(), p, p + len);
        }
        bytes_.resize(NLMSG_ALIGN(bytes_.size()), 0);
        return *this;
    }

    std::vector<std::uint8_t> bytes() const {
        std::vector<std::uint8_t> out = bytes_;
        const auto len = static_cast<std::uint32_t>(out.size());
        std::memcpy(out.data(), &len, sizeof(len));
        return out;
    }

private:
    std::vector<std::uint8_t> bytes_;
    std::vector<std::size_t> nests_;
};

// An NLMSG_ERROR answering a request of `request_len` bytes (header `request`), laid out as
// netlink_ack() does: capped (only the request's header echoed) or not (the whole request, here
// zero-filled), then the extended ack TLVs when there are any.
inline std::vector<std::uint8_t> error_message(std::uint32_t seq, int error,
                                               const std::string& extack = "", bool capped = true,
                                               std::uint32_t request_len = NLMSG_HDRLEN + 8,
                                               const std::uint32_t* bad_offset = nullptr) {
    std::uint16_t flags = 0;
    if (capped) {
        flags |= NLM_F_CAPPED;
    }
    if (!extack.empty() || bad_offset != nullptr) {
        flags |= NLM_F_ACK_TLVS;
    }
    MessageBytes msg(NLMSG_ERROR, flags, seq);
    nlmsgerr err{};
    err.error = -error;
    err.msg.nlmsg_len = request_len;
    err.msg.nlmsg_seq = seq;
    msg.raw(&err, sizeof(err));
    if (!capped) {
        const std::vector<std::uint8_t> rest(request_len - NLMSG_HDRLEN, 0xAB);
        msg.raw(rest.data(), rest.size());
    }
    if (!extack.empty()) {
        msg.str(NLMSGERR_ATTR_MSG, extack);
    }
    if (bad_offset != nullptr) {
        msg.u32(NLMSGERR_ATTR_OFFS, *bad_offset);
    }
    return msg.bytes();
}

inline std::vector<std::uint8_t> ack_message(std::uint32_t seq) {
    return error_message(seq, 0);
}

// NLMSG_DONE as netlink_dump_done() sends it: the dump's error code, then TLVs.
inline std::vector<std::uint8_t> done_message(std::uint32_t seq, int error = 0,
                                              const std::string& extack = "") {
    MessageBytes msg(
        NLMSG_DONE, static_cast<std::uint16_t>(NLM_F_MULTI | (extack.empty() ? 0 : NLM_F_ACK_TLVS)),
        seq);
    const std::int32_t code = -error;
    msg.raw(&code, sizeof(code));
    if (!extack.empty()) {
        msg.str(NLMSGERR_ATTR_MSG, extack);
    }
    return msg.bytes();
}

// Several messages in one datagram.
inline std::vector<std::uint8_t> datagram(std::initializer_list<std::vector<std::uint8_t>> parts) {
    std::vector<std::uint8_t> out;
    for (const auto& part : parts) {
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

} // namespace diowq::test
