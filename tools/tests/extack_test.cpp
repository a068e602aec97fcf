// SPDX-License-Identifier: GPL-2.0
// Parsing NLMSG_ERROR and NLMSG_DONE, with and without extended ack TLVs, as the kernel lays
// them out.
#include <gtest/gtest.h>

#include "netlink/extack.hpp"
#include "netlink/message.hpp"
#include "netlink_bytes.hpp"

namespace diowq::nl {
namespace {

using test::done_message;
using test::error_message;

TEST(ExtAck, CappedErrorWithMessage) {
    const auto bytes = error_message(7, EINVAL, "not the root of a mount");
    EXPECT_EQ(parse_error_message(bytes), (KernelAck{EINVAL, "not the root of a mount", {}}));
}

TEST(ExtAck, UncappedErrorSkipsTheEchoedRequest) {
    const std::uint32_t offset = 28;
    // A 36-byte request echoed in full (as without NETLINK_CAP_ACK), then the TLVs.
    const auto bytes = error_message(7, EOPNOTSUPP, "filesystem type not supported", false,
                                     NLMSG_HDRLEN + 20, &offset);
    EXPECT_EQ(parse_error_message(bytes),
              (KernelAck{EOPNOTSUPP, "filesystem type not supported", 28u}));
}

TEST(ExtAck, UnalignedEchoedRequestIsPadded) {
    const auto bytes = error_message(1, ENOENT, "not tuned", false, NLMSG_HDRLEN + 13);
    EXPECT_EQ(parse_error_message(bytes).message, "not tuned");
}

TEST(ExtAck, ErrorWithoutTlvs) {
    EXPECT_EQ(parse_error_message(error_message(3, EPERM)), (KernelAck{EPERM, "", {}}));
}

TEST(ExtAck, AckIsErrorZero) {
    EXPECT_EQ(parse_error_message(test::ack_message(3)), (KernelAck{0, "", {}}));
}

TEST(ExtAck, UnknownTlvsAreSkipped) {
    test::MessageBytes msg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1);
    nlmsgerr err{};
    err.error = -EINVAL;
    err.msg.nlmsg_len = NLMSG_HDRLEN;
    msg.raw(&err, sizeof(err));
    msg.u32(NLMSGERR_ATTR_MISS_TYPE, 9); // a TLV we do not read
    msg.str(NLMSGERR_ATTR_MSG, "missing attribute");
    EXPECT_EQ(parse_error_message(msg.bytes()), (KernelAck{EINVAL, "missing attribute", {}}));
}

TEST(ExtAck, TruncatedErrorIsAProtocolError) {
    auto bytes = error_message(1, EINVAL);
    bytes.resize(NLMSG_HDRLEN + 8);
    const std::uint32_t len = static_cast<std::uint32_t>(bytes.size());
    std::memcpy(bytes.data(), &len, sizeof(len));
    EXPECT_THROW(parse_error_message(bytes), ProtocolError);
}

TEST(ExtAck, LengthBeyondTheBufferIsAProtocolError) {
    auto bytes = error_message(1, EINVAL, "x");
    bytes.resize(bytes.size() - 4);
    EXPECT_THROW(parse_error_message(bytes), ProtocolError);
}

TEST(ExtAck, BadTlvLengthIsAProtocolError) {
    test::MessageBytes msg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1);
    nlmsgerr err{};
    err.error = -EINVAL;
    msg.raw(&err, sizeof(err));
    const nlattr bad{200, NLMSGERR_ATTR_MSG};
    msg.raw(&bad, sizeof(bad));
    EXPECT_THROW(parse_error_message(msg.bytes()), ProtocolError);
}

TEST(ExtAck, DoneOfADump) {
    EXPECT_EQ(parse_done_message(done_message(4)), (KernelAck{0, "", {}}));
    EXPECT_EQ(parse_done_message(done_message(4, ENOMEM, "out of memory")),
              (KernelAck{ENOMEM, "out of memory", {}}));
}

TEST(ExtAck, EmptyDoneOfOldKernels) {
    const test::MessageBytes msg(NLMSG_DONE, NLM_F_MULTI, 4);
    EXPECT_EQ(parse_done_message(msg.bytes()), (KernelAck{0, "", {}}));
}

TEST(ExtAck, KernelErrorTextQuotesTheKernel) {
    const KernelError with(KernelAck{EINVAL, "not the root of a mount", {}});
    EXPECT_STREQ(with.what(), "Invalid argument; kernel: not the root of a mount");
    EXPECT_EQ(with.error(), EINVAL);
    const KernelError without(KernelAck{ENOENT, "", {}});
    EXPECT_STREQ(without.what(), "No such file or directory");
}

} // namespace
} // namespace diowq::nl
