// SPDX-License-Identifier: GPL-2.0
// The diowq family's messages: the exact bytes of every request, and the parsing of the replies,
// events and controller answers the kernel will send (written here byte by byte, as the uapi
// header declares them).
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "diowq_requests.hpp"
#include "model_values.hpp"
#include "netlink/diowq_messages.hpp"
#include "netlink/family.hpp"
#include "netlink_bytes.hpp"

namespace diowq::nl {
namespace {

using test::bytes_of;
using test::family_id;
using test::MessageBytes;
using test::request;

TEST(Requests, GetConfig) {
    EXPECT_EQ(bytes_of(build_get_config_request(family_id)),
              request(NLM_F_ACK, DIOWQ_CMD_GET_CONFIG).bytes());
}

TEST(Requests, GetConfigHeaderFields) {
    const auto msg = build_get_config_request(family_id);
    const nlmsghdr* hdr = msg.header();
    EXPECT_EQ(hdr->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
    EXPECT_EQ(hdr->nlmsg_type, family_id);
    EXPECT_EQ(hdr->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    const auto* genl = reinterpret_cast<const genlmsghdr*>(msg.bytes().data() + NLMSG_HDRLEN);
    EXPECT_EQ(genl->cmd, DIOWQ_CMD_GET_CONFIG);
    EXPECT_EQ(genl->version, DIOWQ_GENL_VERSION);
    EXPECT_EQ(genl->reserved, 0);
}

TEST(Requests, SetConfigBoth) {
    const ConfigChange change{Mode::unbound, std::vector<std::string>{"xfs", "ext4"}};
    EXPECT_EQ(bytes_of(build_set_config_request(family_id, change)),
              request(NLM_F_ACK, DIOWQ_CMD_SET_CONFIG)
                  .u32(DIOWQ_A_DEFAULT_MODE, DIOWQ_MODE_UNBOUND)
                  .str(DIOWQ_A_AUTO_FSTYPES, "xfs,ext4")
                  .bytes());
}

TEST(Requests, SetConfigEmptyListClears) {
    const ConfigChange change{std::nullopt, std::vector<std::string>{}};
    const auto bytes = bytes_of(build_set_config_request(family_id, change));
    EXPECT_EQ(bytes,
              request(NLM_F_ACK, DIOWQ_CMD_SET_CONFIG).str(DIOWQ_A_AUTO_FSTYPES, "").bytes());
    // The attribute is there, five bytes long (header + NUL), padded to eight.
    const auto* attr = reinterpret_cast<const nlattr*>(bytes.data() + NLMSG_HDRLEN + GENL_HDRLEN);
    EXPECT_EQ(attr->nla_type, DIOWQ_A_AUTO_FSTYPES);
    EXPECT_EQ(attr->nla_len, sizeof(nlattr) + 1);
    EXPECT_EQ(bytes.size(), NLMSG_HDRLEN + GENL_HDRLEN + 8);
}

TEST(Requests, SetConfigModeOnly) {
    const ConfigChange change{Mode::highpri, std::nullopt};
    EXPECT_EQ(bytes_of(build_set_config_request(family_id, change)),
              request(NLM_F_ACK, DIOWQ_CMD_SET_CONFIG)
                  .u32(DIOWQ_A_DEFAULT_MODE, DIOWQ_MODE_HIGHPRI)
                  .bytes());
}

TEST(Requests, GetSuperblockByFd) {
    EXPECT_EQ(bytes_of(build_get_superblock_request(family_id, 5)),
              request(NLM_F_ACK, DIOWQ_CMD_GET_SB).s32(DIOWQ_A_FD, 5).bytes());
}

TEST(Requests, ListSuperblocksIsADumpWithoutAttributes) {
    EXPECT_EQ(bytes_of(build_list_superblocks_request(family_id)),
              request(NLM_F_DUMP, DIOWQ_CMD_GET_SB).bytes());
}

TEST(Requests, TuneWithAndWithoutMode) {
    EXPECT_EQ(bytes_of(build_tune_request(family_id, 3, Mode::unbound)),
              request(NLM_F_ACK, DIOWQ_CMD_TUNE)
                  .s32(DIOWQ_A_FD, 3)
                  .u32(DIOWQ_A_MODE, DIOWQ_MODE_UNBOUND)
                  .bytes());
    EXPECT_EQ(bytes_of(build_tune_request(family_id, 3, std::nullopt)),
              request(NLM_F_ACK, DIOWQ_CMD_TUNE).s32(DIOWQ_A_FD, 3).bytes());
}

TEST(Requests, TuneCgroupCarriesTheDirectoryFdAndTheWeight) {
    EXPECT_EQ(bytes_of(build_tune_cgroup_request(family_id, 3, CgroupRequest{7, 500})),
              request(NLM_F_ACK, DIOWQ_CMD_TUNE)
                  .s32(DIOWQ_A_FD, 3)
                  .u32(DIOWQ_A_MODE, DIOWQ_MODE_CGROUP)
                  .s32(DIOWQ_A_CGROUP_FD, 7)
                  .u32(DIOWQ_A_CGROUP_WEIGHT, 500)
                  .bytes());
    // Without a weight, none is sent: the module's default applies.
    EXPECT_EQ(bytes_of(build_tune_cgroup_request(family_id, 3, CgroupRequest{7, std::nullopt})),
              request(NLM_F_ACK, DIOWQ_CMD_TUNE)
                  .s32(DIOWQ_A_FD, 3)
                  .u32(DIOWQ_A_MODE, DIOWQ_MODE_CGROUP)
                  .s32(DIOWQ_A_CGROUP_FD, 7)
                  .bytes());
}

TEST(Requests, UntuneByFdOrAll) {
    EXPECT_EQ(bytes_of(build_untune_request(family_id, 9)),
              request(NLM_F_ACK, DIOWQ_CMD_UNTUNE).s32(DIOWQ_A_FD, 9).bytes());
    EXPECT_EQ(bytes_of(build_untune_all_request(family_id)),
              request(NLM_F_ACK, DIOWQ_CMD_UNTUNE).flag(DIOWQ_A_ALL).bytes());
}

TEST(Requests, GetFamily) {
    MessageBytes expected(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 0);
    expected.genl(CTRL_CMD_GETFAMILY, 1).str(CTRL_ATTR_FAMILY_NAME, "diowq");
    EXPECT_EQ(bytes_of(build_get_family_request("diowq")), expected.bytes());
}

// What the module sends for GET_SB (and, with DIOWQ_A_EVENT first, for an event). 64-bit values
// are put with nla_put_u64_64bit(..., DIOWQ_A_PAD), which may add a PAD attribute before them.
MessageBytes& add_superblock(MessageBytes& msg) {
    return msg.str(DIOWQ_A_SB_ID, "vdb")
        .str(DIOWQ_A_FSTYPE, "xfs")
        .str(DIOWQ_A_SOURCE, "/dev/vdb")
        .u32(DIOWQ_A_DEV_MAJOR, 254)
        .u32(DIOWQ_A_DEV_MINOR, 16)
        .u32(DIOWQ_A_MODE, DIOWQ_MODE_UNBOUND)
        .str(DIOWQ_A_WORKQUEUE, "diowq-vdb")
        .u32(DIOWQ_A_ORIGIN, DIOWQ_ORIGIN_AUTO)
        .flag(DIOWQ_A_PAD)
        .u64(DIOWQ_A_SWAPS, 3)
        .u64(DIOWQ_A_TUNED_MS, 123456789012u);
}

const SuperblockStatus vdb{"vdb",
                           "xfs",
                           "/dev/vdb",
                           254u,
                           16u,
                           Mode::unbound,
                           "diowq-vdb",
                           Origin::automatic,
                           std::uint64_t{3},
                           std::uint64_t{123456789012u},
                           std::nullopt,
                           std::nullopt,
                           std::nullopt};

TEST(Replies, Config) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_CONFIG)
        .str(DIOWQ_A_VERSION, "0.1.0")
        .str(DIOWQ_A_SUPPORTED_FSTYPES, "xfs,ext4")
        .u32(DIOWQ_A_DEFAULT_MODE, DIOWQ_MODE_HIGHPRI)
        .str(DIOWQ_A_AUTO_FSTYPES, "ext4")
        .u32(DIOWQ_A_AUTO_RESCAN_MS, 1000);
    EXPECT_EQ(parse_config_reply(msg.bytes()),
              (Config{"0.1.0", {"xfs", "ext4"}, Mode::highpri, {"ext4"}, 1000u}));
}

TEST(Replies, ConfigWithEmptyAutoList) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_CONFIG).str(DIOWQ_A_VERSION, "0.1.0").str(DIOWQ_A_AUTO_FSTYPES, "");
    const Config config = parse_config_reply(msg.bytes());
    EXPECT_TRUE(config.auto_fstypes.empty());
    EXPECT_TRUE(config.supported_fstypes.empty());
    EXPECT_EQ(config.default_mode, std::nullopt);
}

TEST(Replies, Superblock) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_SB);
    add_superblock(msg);
    EXPECT_EQ(parse_superblock_reply(msg.bytes()), vdb);
}

TEST(Replies, SuperblockIgnoresAttributesItDoesNotKnow) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_SB);
    add_superblock(msg).u32(DIOWQ_A_MAX + 1, 42).str(DIOWQ_A_MAX + 7, "future");
    EXPECT_EQ(parse_superblock_reply(msg.bytes()), vdb);
}

TEST(Replies, SuperblockNeedsAnId) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_SB).str(DIOWQ_A_FSTYPE, "xfs");
    EXPECT_THROW(parse_superblock_reply(msg.bytes()), ProtocolError);
}

TEST(Replies, WrongCommandIsAProtocolError) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_CONFIG).str(DIOWQ_A_SB_ID, "vdb");
    EXPECT_THROW(parse_superblock_reply(msg.bytes()), ProtocolError);
}

TEST(Replies, StringWithoutNulIsAProtocolError) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_SB).attr(DIOWQ_A_SB_ID, "vdb", 3);
    EXPECT_THROW(parse_superblock_reply(msg.bytes()), ProtocolError);
}

TEST(Replies, ShortIntegerIsAProtocolError) {
    MessageBytes msg(family_id, 0, 1);
    const std::uint16_t two_bytes = 1;
    msg.genl(DIOWQ_CMD_GET_SB).str(DIOWQ_A_SB_ID, "vdb").attr(DIOWQ_A_MODE, &two_bytes, 2);
    EXPECT_THROW(parse_superblock_reply(msg.bytes()), ProtocolError);
}

TEST(Replies, SuperblockInModeCgroup) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_SB)
        .str(DIOWQ_A_SB_ID, "vdb")
        .u32(DIOWQ_A_MODE, DIOWQ_MODE_CGROUP)
        .str(DIOWQ_A_CGROUP, "/sys/fs/cgroup/pod/diowq-vdb")
        .u32(DIOWQ_A_CGROUP_WEIGHT, 700)
        .u64(DIOWQ_A_DIVERTED, 12345);
    const auto sb = parse_superblock_reply(msg.bytes());
    ASSERT_TRUE(sb.mode);
    EXPECT_EQ(*sb.mode, Mode::cgroup);
    EXPECT_EQ(mode_name(*sb.mode), "cgroup");
    EXPECT_EQ(sb.cgroup, "/sys/fs/cgroup/pod/diowq-vdb");
    EXPECT_EQ(sb.cgroup_weight, 700u);
    EXPECT_EQ(sb.diverted, 12345u);
}

TEST(Replies, SuperblockInAnotherModeHasNoCgroup) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_SB);
    add_superblock(msg);
    const auto sb = parse_superblock_reply(msg.bytes());
    EXPECT_EQ(sb.cgroup, std::nullopt);
    EXPECT_EQ(sb.cgroup_weight, std::nullopt);
    EXPECT_EQ(sb.diverted, std::nullopt);
}

TEST(Replies, ShortDivertedCountIsAProtocolError) {
    MessageBytes msg(family_id, 0, 1);
    const std::uint32_t four_bytes = 1;
    msg.genl(DIOWQ_CMD_GET_SB).str(DIOWQ_A_SB_ID, "vdb").attr(DIOWQ_A_DIVERTED, &four_bytes, 4);
    EXPECT_THROW(parse_superblock_reply(msg.bytes()), ProtocolError);
}

TEST(Replies, UnknownModeIsKeptAsANumber) {
    MessageBytes msg(family_id, 0, 1);
    msg.genl(DIOWQ_CMD_GET_SB).str(DIOWQ_A_SB_ID, "vdb").u32(DIOWQ_A_MODE, 7);
    const auto sb = parse_superblock_reply(msg.bytes());
    ASSERT_TRUE(sb.mode);
    EXPECT_EQ(mode_name(*sb.mode), "7");
}

TEST(Events, Parsed) {
    MessageBytes msg(family_id, 0, 0);
    msg.genl(DIOWQ_CMD_EVENT).u32(DIOWQ_A_EVENT, DIOWQ_EVENT_AUTO_TUNED);
    add_superblock(msg);
    EXPECT_EQ(parse_event(msg.bytes()), (Event{EventKind::auto_tuned, vdb}));
}

TEST(Events, UntunedMayCarryOnlyTheId) {
    MessageBytes msg(family_id, 0, 0);
    msg.genl(DIOWQ_CMD_EVENT).u32(DIOWQ_A_EVENT, DIOWQ_EVENT_UNMOUNTED).str(DIOWQ_A_SB_ID, "sdb1");
    EXPECT_EQ(parse_event(msg.bytes()), (Event{EventKind::unmounted, test::only_id("sdb1")}));
}

// Mode cgroup's pod emptied: the superblock as it is after the fallback, highpri and no leaf.
TEST(Events, CgroupFallbackCarriesTheNewState) {
    MessageBytes msg(family_id, 0, 0);
    msg.genl(DIOWQ_CMD_EVENT)
        .u32(DIOWQ_A_EVENT, DIOWQ_EVENT_CGROUP_FALLBACK)
        .str(DIOWQ_A_SB_ID, "vdc")
        .u32(DIOWQ_A_MODE, DIOWQ_MODE_HIGHPRI)
        .str(DIOWQ_A_WORKQUEUE, "diowq-vdc");
    const auto event = parse_event(msg.bytes());
    ASSERT_TRUE(event);
    EXPECT_EQ(event->kind, EventKind::cgroup_fallback);
    EXPECT_EQ(event_name(event->kind), "cgroup_fallback");
    EXPECT_EQ(event->superblock.mode, Mode::highpri);
    EXPECT_EQ(event->superblock.workqueue, "diowq-vdc");
    EXPECT_EQ(event->superblock.cgroup, std::nullopt);
    EXPECT_EQ(event->superblock.cgroup_weight, std::nullopt);
    EXPECT_EQ(event->superblock.diverted, std::nullopt);
}

// A newer module's event is kept, not refused, and named by its number.
TEST(Events, UnknownKindIsKeptAsANumber) {
    MessageBytes msg(family_id, 0, 0);
    msg.genl(DIOWQ_CMD_EVENT).u32(DIOWQ_A_EVENT, __DIOWQ_EVENT_MAX).str(DIOWQ_A_SB_ID, "vdb");
    const auto event = parse_event(msg.bytes());
    ASSERT_TRUE(event);
    EXPECT_EQ(static_cast<std::uint32_t>(event->kind), std::uint32_t{__DIOWQ_EVENT_MAX});
    EXPECT_EQ(event_name(event->kind), std::to_string(__DIOWQ_EVENT_MAX));
    EXPECT_EQ(event->superblock, test::only_id("vdb"));
}

TEST(Events, OtherCommandsAreNotEvents) {
    MessageBytes msg(family_id, 0, 0);
    msg.genl(DIOWQ_CMD_GET_SB).str(DIOWQ_A_SB_ID, "vdb");
    EXPECT_EQ(parse_event(msg.bytes()), std::nullopt);
}

TEST(Events, EventWithoutKindIsAProtocolError) {
    MessageBytes msg(family_id, 0, 0);
    msg.genl(DIOWQ_CMD_EVENT).str(DIOWQ_A_SB_ID, "vdb");
    EXPECT_THROW(parse_event(msg.bytes()), ProtocolError);
}

TEST(Events, DatagramWithSeveralMessages) {
    MessageBytes tuned(family_id, 0, 0);
    tuned.genl(DIOWQ_CMD_EVENT).u32(DIOWQ_A_EVENT, DIOWQ_EVENT_TUNED);
    add_superblock(tuned);
    MessageBytes broken(family_id, 0, 0);
    broken.genl(DIOWQ_CMD_EVENT).str(DIOWQ_A_SB_ID, "x"); // no DIOWQ_A_EVENT
    MessageBytes foreign(family_id + 1, 0, 0);
    foreign.genl(1).str(1, "another family");
    MessageBytes untuned(family_id, 0, 0);
    untuned.genl(DIOWQ_CMD_EVENT).u32(DIOWQ_A_EVENT, DIOWQ_EVENT_UNTUNED).str(DIOWQ_A_SB_ID, "vdc");

    const auto decoded = parse_event_datagram(
        test::datagram({tuned.bytes(), broken.bytes(), foreign.bytes(), untuned.bytes()}),
        family_id);
    ASSERT_EQ(decoded.events.size(), 2u);
    EXPECT_EQ(decoded.events[0], (Event{EventKind::tuned, vdb}));
    EXPECT_EQ(decoded.events[1], (Event{EventKind::untuned, test::only_id("vdc")}));
    ASSERT_EQ(decoded.problems.size(), 1u);
    EXPECT_EQ(decoded.problems[0], "skipped a malformed event: event without DIOWQ_A_EVENT");
}

TEST(Events, TruncatedDatagramStopsWithAProblem) {
    MessageBytes tuned(family_id, 0, 0);
    tuned.genl(DIOWQ_CMD_EVENT).u32(DIOWQ_A_EVENT, DIOWQ_EVENT_TUNED).str(DIOWQ_A_SB_ID, "a");
    auto bytes = test::datagram({tuned.bytes(), tuned.bytes()});
    bytes.resize(bytes.size() - 4);
    const auto decoded = parse_event_datagram(bytes, family_id);
    EXPECT_EQ(decoded.events.size(), 1u);
    EXPECT_EQ(decoded.problems.size(), 1u);
}

TEST(Events, RemovalOfOurFamilyIsReported) {
    MessageBytes removed(GENL_ID_CTRL, 0, 0);
    removed.genl(CTRL_CMD_DELFAMILY, 2)
        .str(CTRL_ATTR_FAMILY_NAME, "diowq")
        .u16(CTRL_ATTR_FAMILY_ID, family_id);
    const auto decoded = parse_event_datagram(removed.bytes(), family_id);
    EXPECT_TRUE(decoded.family_removed);
    EXPECT_TRUE(decoded.events.empty());
    EXPECT_TRUE(decoded.problems.empty());
}

TEST(Events, OtherControllerNoticesAreIgnored) {
    MessageBytes other_removed(GENL_ID_CTRL, 0, 0);
    other_removed.genl(CTRL_CMD_DELFAMILY, 2)
        .str(CTRL_ATTR_FAMILY_NAME, "other")
        .u16(CTRL_ATTR_FAMILY_ID, static_cast<std::uint16_t>(family_id + 1));
    MessageBytes ours_added(GENL_ID_CTRL, 0, 0);
    ours_added.genl(CTRL_CMD_NEWFAMILY, 2)
        .str(CTRL_ATTR_FAMILY_NAME, "diowq")
        .u16(CTRL_ATTR_FAMILY_ID, family_id);
    const auto decoded = parse_event_datagram(
        test::datagram({other_removed.bytes(), ours_added.bytes()}), family_id);
    EXPECT_FALSE(decoded.family_removed);
    EXPECT_TRUE(decoded.problems.empty());
}

TEST(Family, ReplyWithGroups) {
    MessageBytes msg(GENL_ID_CTRL, 0, 1);
    msg.genl(CTRL_CMD_NEWFAMILY, 2)
        .str(CTRL_ATTR_FAMILY_NAME, "diowq")
        .u16(CTRL_ATTR_FAMILY_ID, 0x22)
        .u32(CTRL_ATTR_VERSION, 1)
        .u32(CTRL_ATTR_HDRSIZE, 0)
        .u32(CTRL_ATTR_MAXATTR, DIOWQ_A_MAX)
        .begin_nest(CTRL_ATTR_MCAST_GROUPS)
        .begin_nest(1)
        .str(CTRL_ATTR_MCAST_GRP_NAME, "events")
        .u32(CTRL_ATTR_MCAST_GRP_ID, 9)
        .end_nest()
        .end_nest();
    const FamilyInfo family = parse_family_reply(msg.bytes());
    EXPECT_EQ(family, (FamilyInfo{0x22, 1, {{"events", 9}}}));
    EXPECT_EQ(family.group_id("events"), 9u);
    EXPECT_EQ(family.group_id("other"), std::nullopt);
}

TEST(Family, ReplyWithoutGroups) {
    MessageBytes msg(GENL_ID_CTRL, 0, 1);
    msg.genl(CTRL_CMD_NEWFAMILY, 2).u16(CTRL_ATTR_FAMILY_ID, 0x22).u32(CTRL_ATTR_VERSION, 2);
    EXPECT_EQ(parse_family_reply(msg.bytes()), (FamilyInfo{0x22, 2, {}}));
}

TEST(Family, ReplyWithoutIdIsAProtocolError) {
    MessageBytes msg(GENL_ID_CTRL, 0, 1);
    msg.genl(CTRL_CMD_NEWFAMILY, 2).u32(CTRL_ATTR_VERSION, 1);
    EXPECT_THROW(parse_family_reply(msg.bytes()), ProtocolError);
}

} // namespace
} // namespace diowq::nl
