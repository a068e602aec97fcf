// SPDX-License-Identifier: GPL-2.0
#include "netlink/attributes.hpp"

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <fmt/format.h>

#include "netlink/message.hpp"

namespace diowq::nl {

GenlAttributes::GenlAttributes(std::span<const std::uint8_t> message, int max_type,
                               const nla_policy* policy, const char* what)
    : table_(static_cast<std::size_t>(max_type) + 1, nullptr)
    , message_(message.data()) {
    read_header(message); // length checks before libnl looks at it
    // libnl's parsers take non-const pointers but only read.
    auto* hdr = reinterpret_cast<nlmsghdr*>(const_cast<std::uint8_t*>(message.data()));
    if (!genlmsg_valid_hdr(hdr, 0)) {
        throw ProtocolError(fmt::format("truncated {}", what));
    }
    const auto* genl = static_cast<const genlmsghdr*>(nlmsg_data(hdr));
    command_ = genl->cmd;
    const int err = genlmsg_parse(hdr, 0, table_.data(), max_type, const_cast<nla_policy*>(policy));
    if (err < 0) {
        throw ProtocolError(fmt::format("malformed {}: {}", what, nl_geterror(err)));
    }
}

bool GenlAttributes::has(int type) const {
    return get(type) != nullptr;
}

const nlattr* GenlAttributes::get(int type) const {
    if (type < 0 || static_cast<std::size_t>(type) >= table_.size()) {
        return nullptr;
    }
    return table_[static_cast<std::size_t>(type)];
}

std::optional<std::string> GenlAttributes::string(int type) const {
    const nlattr* attr = get(type);
    if (attr == nullptr) {
        return std::nullopt;
    }
    // The policy made sure it is NUL-terminated.
    return std::string(nla_get_string(const_cast<nlattr*>(attr)));
}

std::optional<std::uint8_t> GenlAttributes::u8(int type) const {
    const nlattr* attr = get(type);
    if (attr == nullptr) {
        return std::nullopt;
    }
    return nla_get_u8(const_cast<nlattr*>(attr));
}

std::optional<std::uint16_t> GenlAttributes::u16(int type) const {
    const nlattr* attr = get(type);
    if (attr == nullptr) {
        return std::nullopt;
    }
    return nla_get_u16(const_cast<nlattr*>(attr));
}

std::optional<std::uint32_t> GenlAttributes::u32(int type) const {
    const nlattr* attr = get(type);
    if (attr == nullptr) {
        return std::nullopt;
    }
    return nla_get_u32(const_cast<nlattr*>(attr));
}

std::optional<std::uint64_t> GenlAttributes::u64(int type) const {
    const nlattr* attr = get(type);
    if (attr == nullptr) {
        return std::nullopt;
    }
    return nla_get_u64(const_cast<nlattr*>(attr));
}

std::optional<std::int32_t> GenlAttributes::s32(int type) const {
    const nlattr* attr = get(type);
    if (attr == nullptr) {
        return std::nullopt;
    }
    return nla_get_s32(const_cast<nlattr*>(attr));
}

std::vector<const nlattr*> GenlAttributes::all(int type) const {
    std::vector<const nlattr*> found;
    // The constructor checked the headers; the attributes were validated by genlmsg_parse.
    auto* hdr = reinterpret_cast<nlmsghdr*>(const_cast<std::uint8_t*>(message_));
    nlattr* attr = nullptr;
    int remaining = 0;
    nla_for_each_attr(attr, genlmsg_attrdata(static_cast<genlmsghdr*>(nlmsg_data(hdr)), 0),
                      genlmsg_attrlen(static_cast<genlmsghdr*>(nlmsg_data(hdr)), 0), remaining) {
        if (nla_type(attr) == type) {
            found.push_back(attr);
        }
    }
    return found;
}

std::vector<nlattr*> parse_nested(const nlattr* nest, int max_type, const nla_policy* policy,
                                  const char* what) {
    std::vector<nlattr*> table(static_cast<std::size_t>(max_type) + 1, nullptr);
    const int err = nla_parse_nested(table.data(), max_type, const_cast<nlattr*>(nest),
                                     const_cast<nla_policy*>(policy));
    if (err < 0) {
        throw ProtocolError(fmt::format("malformed {}: {}", what, nl_geterror(err)));
    }
    return table;
}

} // namespace diowq::nl
