// SPDX-License-Identifier: GPL-2.0
// The dispatch-latency requests and replies of the diowq family (include/uapi/diowq.h: WATCH,
// UNWATCH, GET_WATCH, GET_LATENCY), as pure functions like diowq_messages.hpp: no socket involved.
#pragma once

#include <cstdint>
#include <span>

#include "model/latency.hpp"
#include "netlink/message.hpp"

namespace diowq::nl {

// WATCH and UNWATCH, doit with an ack: the filesystem whose mount root `mount_root_fd` is, the
// one with that device number, or ALL (WATCH: every iomap filesystem; UNWATCH: every watch).
NlMessage build_watch_request(std::uint16_t family_id, int mount_root_fd);
NlMessage build_watch_device_request(std::uint16_t family_id, DeviceNumber dev);
NlMessage build_watch_all_request(std::uint16_t family_id);
NlMessage build_unwatch_request(std::uint16_t family_id, int mount_root_fd);
NlMessage build_unwatch_device_request(std::uint16_t family_id, DeviceNumber dev);
NlMessage build_unwatch_all_request(std::uint16_t family_id);

// GET_WATCH doit.
NlMessage build_get_watch_request(std::uint16_t family_id);
// GET_LATENCY dump; with `clear_max` (admin) each CPU's maximum restarts from 0 once read.
NlMessage build_get_latency_request(std::uint16_t family_id, bool clear_max);

// Replies; each throws ProtocolError when the message is not the reply it should be.
WatchState parse_watch_reply(std::span<const std::uint8_t> message);
// LATENCY_HIST may have more buckets than this tool knows (a later module): the extra ones are
// above 2^30 ns and are added to the last bucket; fewer leave the rest at 0.
CpuLatencyCounters parse_latency_reply(std::span<const std::uint8_t> message);

} // namespace diowq::nl
