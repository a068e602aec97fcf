// SPDX-License-Identifier: GPL-2.0
// Following one request's answers through the datagrams the kernel sends.
#include <uapi/diowq.h>

#include <gtest/gtest.h>

#include "netlink/extack.hpp"
#include "netlink/message.hpp"
#include "netlink/reply_reader.hpp"
#include "netlink_bytes.hpp"

namespace diowq::nl {
namespace {

using test::ack_message;
using test::datagram;
using test::done_message;
using test::error_message;
using test::MessageBytes;

constexpr std::uint16_t family_id = 0x1f;
constexpr std::uint32_t seq = 42;

std::vector<std::uint8_t> reply(std::uint32_t sequence, const std::string& id,
                                std::uint16_t flags = 0) {
    MessageBytes msg(family_id, flags, sequence);
    msg.genl(DIOWQ_CMD_GET_SB).str(DIOWQ_A_SB_ID, id);
    return msg.bytes();
}

struct Collector {
    std::vector<std::size_t> sizes;
    MessageHandler handler() {
        return [this](std::span<const std::uint8_t> message) { sizes.push_back(message.size()); };
    }
};

TEST(ReplyReader, DoitReplyThenAckInOneDatagram) {
    ReplyReader reader(seq);
    Collector got;
    EXPECT_TRUE(reader.feed(datagram({reply(seq, "vdb"), ack_message(seq)}), got.handler()));
    EXPECT_EQ(got.sizes, std::vector<std::size_t>{reply(seq, "vdb").size()});
}

TEST(ReplyReader, DoitReplyAndAckInTwoDatagrams) {
    ReplyReader reader(seq);
    Collector got;
    EXPECT_FALSE(reader.feed(reply(seq, "vdb"), got.handler()));
    EXPECT_TRUE(reader.feed(ack_message(seq), got.handler()));
    EXPECT_EQ(got.sizes.size(), 1u);
}

TEST(ReplyReader, DumpEndsWithDone) {
    ReplyReader reader(seq);
    Collector got;
    EXPECT_FALSE(reader.feed(datagram({reply(seq, "a", NLM_F_MULTI), reply(seq, "b", NLM_F_MULTI)}),
                             got.handler()));
    EXPECT_FALSE(reader.feed(reply(seq, "c", NLM_F_MULTI), got.handler()));
    EXPECT_TRUE(reader.feed(done_message(seq), got.handler()));
    EXPECT_EQ(got.sizes.size(), 3u);
}

TEST(ReplyReader, EmptyDump) {
    ReplyReader reader(seq);
    Collector got;
    EXPECT_TRUE(reader.feed(done_message(seq), got.handler()));
    EXPECT_TRUE(got.sizes.empty());
}

TEST(ReplyReader, ErrorThrowsWithTheKernelsMessage) {
    ReplyReader reader(seq);
    Collector got;
    try {
        reader.feed(error_message(seq, EOPNOTSUPP, "filesystem type not supported"), got.handler());
        FAIL() << "no exception";
    } catch (const KernelError& e) {
        EXPECT_EQ(e.error(), EOPNOTSUPP);
        EXPECT_EQ(e.kernel_message(), "filesystem type not supported");
    }
}

TEST(ReplyReader, DumpErrorInDone) {
    ReplyReader reader(seq);
    Collector got;
    EXPECT_FALSE(reader.feed(reply(seq, "a", NLM_F_MULTI), got.handler()));
    EXPECT_THROW(reader.feed(done_message(seq, EINTR, "dump interrupted"), got.handler()),
                 KernelError);
}

TEST(ReplyReader, MessagesOfOtherRequestsAreSkipped) {
    ReplyReader reader(seq);
    Collector got;
    EXPECT_FALSE(
        reader.feed(datagram({reply(seq - 1, "stale"), ack_message(seq - 1)}), got.handler()));
    EXPECT_TRUE(got.sizes.empty());
    EXPECT_TRUE(reader.feed(ack_message(seq), got.handler()));
}

TEST(ReplyReader, AckWarningIsKept) {
    ReplyReader reader(seq);
    Collector got;
    auto ack = error_message(seq, 0, "already tuned in this mode");
    EXPECT_TRUE(reader.feed(ack, got.handler()));
    EXPECT_EQ(reader.warning(), "already tuned in this mode");
}

TEST(ReplyReader, NothingAfterTheEndIsRead) {
    ReplyReader reader(seq);
    Collector got;
    EXPECT_TRUE(reader.feed(datagram({ack_message(seq), reply(seq, "late")}), got.handler()));
    EXPECT_TRUE(got.sizes.empty());
}

TEST(ReplyReader, TruncatedMessageIsAProtocolError) {
    ReplyReader reader(seq);
    Collector got;
    auto bytes = reply(seq, "vdb");
    bytes.resize(bytes.size() - 4);
    EXPECT_THROW(reader.feed(bytes, got.handler()), ProtocolError);
}

TEST(ReplyReader, OverrunIsAProtocolError) {
    ReplyReader reader(seq);
    Collector got;
    const MessageBytes overrun(NLMSG_OVERRUN, 0, seq);
    EXPECT_THROW(reader.feed(overrun.bytes(), got.handler()), ProtocolError);
}

} // namespace
} // namespace diowq::nl
