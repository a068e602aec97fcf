// SPDX-License-Identifier: GPL-2.0
#include "netlink/message.hpp"

#include <cstring>
#include <new>
#include <string>

#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <fmt/format.h>

namespace diowq::nl {

namespace {

void check_put(int err, int type) {
    if (err < 0) {
        // Our requests are a few dozen bytes: only a failed allocation can get here.
        throw std::runtime_error(fmt::format("cannot add attribute {} to a netlink message: {}",
                                             type, nl_geterror(err)));
    }
}

} // namespace

void NlMessage::Free::operator()(nl_msg* msg) const {
    nlmsg_free(msg);
}

NlMessage::NlMessage()
    : msg_(nlmsg_alloc()) {
    if (!msg_) {
        throw std::bad_alloc();
    }
}

nlmsghdr* NlMessage::header() const {
    return nlmsg_hdr(msg_.get());
}

std::span<const std::uint8_t> NlMessage::bytes() const {
    const nlmsghdr* hdr = header();
    return {reinterpret_cast<const std::uint8_t*>(hdr), hdr->nlmsg_len};
}

void NlMessage::put_genl_header(std::uint16_t family_id, int flags, std::uint8_t cmd,
                                std::uint8_t version) {
    if (genlmsg_put(msg_.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_id, 0, NLM_F_REQUEST | flags, cmd,
                    version) == nullptr) {
        throw std::bad_alloc();
    }
}

void NlMessage::put_u32(int type, std::uint32_t value) {
    check_put(nla_put_u32(msg_.get(), type, value), type);
}

void NlMessage::put_s32(int type, std::int32_t value) {
    check_put(nla_put_s32(msg_.get(), type, value), type);
}

void NlMessage::put_string(int type, std::string_view value) {
    const std::string terminated(value);
    check_put(nla_put_string(msg_.get(), type, terminated.c_str()), type);
}

void NlMessage::put_flag(int type) {
    check_put(nla_put_flag(msg_.get(), type), type);
}

nlmsghdr read_header(std::span<const std::uint8_t> message) {
    nlmsghdr hdr{};
    if (message.size() < sizeof(hdr)) {
        throw ProtocolError(fmt::format("truncated netlink message ({} bytes)", message.size()));
    }
    std::memcpy(&hdr, message.data(), sizeof(hdr));
    if (hdr.nlmsg_len < sizeof(hdr) || hdr.nlmsg_len > message.size()) {
        throw ProtocolError(
            fmt::format("netlink message claims {} bytes, has {}", hdr.nlmsg_len, message.size()));
    }
    return hdr;
}

} // namespace diowq::nl
