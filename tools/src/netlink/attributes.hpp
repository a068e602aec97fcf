// SPDX-License-Identifier: GPL-2.0
// Reading the attributes of a received generic netlink message, checked against a policy (types
// and lengths) by libnl. Attributes with a type beyond the policy are ignored: newer modules may
// add attributes, never change existing ones.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct nlattr;
struct nla_policy;

namespace diowq::nl {

class GenlAttributes {
public:
    // Parses a whole message (nlmsghdr + genlmsghdr + attributes); throws ProtocolError, naming
    // `what` (e.g. "GET_SB reply"), when the message or an attribute is malformed.
    GenlAttributes(std::span<const std::uint8_t> message, int max_type, const nla_policy* policy,
                   const char* what);

    std::uint8_t command() const { return command_; }
    bool has(int type) const;
    const nlattr* get(int type) const;
    std::optional<std::string> string(int type) const;
    std::optional<std::uint8_t> u8(int type) const;
    std::optional<std::uint16_t> u16(int type) const;
    std::optional<std::uint32_t> u32(int type) const;
    std::optional<std::uint64_t> u64(int type) const;
    std::optional<std::int32_t> s32(int type) const;
    // Every top-level attribute of `type`, in message order: for the ones a reply repeats
    // (DIOWQ_A_WATCHED), of which get() sees only the last. Valid while the message is.
    std::vector<const nlattr*> all(int type) const;

private:
    std::uint8_t command_ = 0;
    std::vector<nlattr*> table_;
    const std::uint8_t* message_ = nullptr;
};

// The attributes nested in `nest`, by type; for CTRL_ATTR_MCAST_GROUPS and its entries.
std::vector<nlattr*> parse_nested(const nlattr* nest, int max_type, const nla_policy* policy,
                                  const char* what);

} // namespace diowq::nl
