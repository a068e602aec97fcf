// SPDX-License-Identifier: GPL-2.0
#include "netlink/client.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "netlink/diowq_messages.hpp"
#include "netlink/extack.hpp"

namespace diowq::nl {

ModuleNotLoaded::ModuleNotLoaded()
    : Failure(fmt::format("the diowq module is not loaded (no generic netlink family \"{}\"): "
                          "load it with `sudo modprobe diowq` or, from a build tree, "
                          "`sudo insmod kmod/diowq.ko`",
                          DIOWQ_GENL_NAME)) {}

FamilyVersionMismatch::FamilyVersionMismatch(std::uint32_t module_version)
    : Failure(fmt::format("netlink family version mismatch: the module speaks \"{}\" version {}, "
                          "this diowqctl speaks version {}; use the diowqctl built with the module",
                          DIOWQ_GENL_NAME, module_version, DIOWQ_GENL_VERSION))
    , module_version_(module_version) {}

std::optional<FamilyInfo> lookup_family(GenlSocket& socket, std::string_view name) {
    NlMessage request = build_get_family_request(name);
    std::optional<FamilyInfo> family;
    try {
        socket.transact(request, [&](std::span<const std::uint8_t> message) {
            family = parse_family_reply(message);
        });
    } catch (const KernelError& e) {
        if (e.error() == ENOENT) {
            return std::nullopt;
        }
        throw;
    }
    if (!family) {
        throw ProtocolError("the controller acked without a family reply");
    }
    return family;
}

DiowqClient::DiowqClient(GenlSocket socket, FamilyInfo family)
    : socket_(std::move(socket))
    , family_(std::move(family)) {}

DiowqClient DiowqClient::connect() {
    GenlSocket socket;
    auto family = lookup_family(socket, DIOWQ_GENL_NAME);
    if (!family) {
        throw ModuleNotLoaded();
    }
    if (family->version != DIOWQ_GENL_VERSION) {
        throw FamilyVersionMismatch(family->version);
    }
    return DiowqClient(std::move(socket), std::move(*family));
}

void DiowqClient::transact(NlMessage& request, const MessageHandler& on_message) {
    const std::string warning = socket_.transact(request, on_message);
    if (!warning.empty() && on_warning_) {
        on_warning_(warning);
    }
}

Config DiowqClient::get_config() {
    NlMessage request = build_get_config_request(family_.id);
    std::optional<Config> config;
    transact(request,
             [&](std::span<const std::uint8_t> message) { config = parse_config_reply(message); });
    if (!config) {
        throw ProtocolError("GET_CONFIG acked without a reply");
    }
    return *config;
}

void DiowqClient::set_config(const ConfigChange& change) {
    NlMessage request = build_set_config_request(family_.id, change);
    transact(request, [](std::span<const std::uint8_t>) {});
}

std::optional<SuperblockStatus> DiowqClient::get_superblock(int mount_root_fd) {
    NlMessage request = build_get_superblock_request(family_.id, mount_root_fd);
    std::optional<SuperblockStatus> status;
    try {
        transact(request, [&](std::span<const std::uint8_t> message) {
            status = parse_superblock_reply(message);
        });
    } catch (const KernelError& e) {
        if (e.error() == ENOENT) {
            return std::nullopt;
        }
        throw;
    }
    if (!status) {
        throw ProtocolError("GET_SB acked without a reply");
    }
    return status;
}

std::vector<SuperblockStatus> DiowqClient::list_superblocks() {
    NlMessage request = build_list_superblocks_request(family_.id);
    std::vector<SuperblockStatus> list;
    transact(request, [&](std::span<const std::uint8_t> message) {
        list.push_back(parse_superblock_reply(message));
    });
    return list;
}

void DiowqClient::tune(int mount_root_fd, std::optional<Mode> mode) {
    NlMessage request = build_tune_request(family_.id, mount_root_fd, mode);
    transact(request, [](std::span<const std::uint8_t>) {});
}

void DiowqClient::tune_cgroup(int mount_root_fd, const CgroupRequest& cgroup,
                              std::chrono::milliseconds busy_for) {
    const auto deadline = std::chrono::steady_clock::now() + busy_for;
    for (;;) {
        NlMessage request = build_tune_cgroup_request(family_.id, mount_root_fd, cgroup);
        try {
            transact(request, [](std::span<const std::uint8_t>) {});
            return;
        } catch (const KernelError& e) {
            // A previous leaf or the hook still being removed (see client.hpp): both pass.
            if (e.error() != EAGAIN || std::chrono::steady_clock::now() >= deadline) {
                throw;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void DiowqClient::untune(int mount_root_fd) {
    NlMessage request = build_untune_request(family_.id, mount_root_fd);
    transact(request, [](std::span<const std::uint8_t>) {});
}

void DiowqClient::untune_all() {
    NlMessage request = build_untune_all_request(family_.id);
    transact(request, [](std::span<const std::uint8_t>) {});
}

void DiowqClient::monitor(const std::function<void(const Event&)>& on_event,
                          const std::function<void(const std::string&)>& on_problem) {
    const auto group = family_.group_id(DIOWQ_GENL_MCGRP_EVENTS);
    if (!group) {
        throw Failure(
            fmt::format("the module has no \"{}\" multicast group", DIOWQ_GENL_MCGRP_EVENTS));
    }
    // A socket of its own: nothing but events arrives on it, and the controller's notices, so
    // that an unloaded module ends the monitor instead of leaving it waiting forever.
    GenlSocket events;
    events.join_group(*group);
    if (const auto controller = lookup_family(socket_, "nlctrl")) {
        if (const auto notify = controller->group_id("notify")) {
            events.join_group(*notify);
        }
    }
    for (;;) {
        std::vector<std::uint8_t> datagram;
        try {
            datagram = events.receive();
        } catch (const std::system_error& e) {
            if (e.code().value() != ENOBUFS) {
                throw;
            }
            on_problem("events were lost: the receive buffer overflowed");
            continue;
        }
        const auto decoded = parse_event_datagram(datagram, family_.id);
        for (const auto& event : decoded.events) {
            on_event(event);
        }
        for (const auto& problem : decoded.problems) {
            on_problem(problem);
        }
        if (decoded.family_removed) {
            throw Failure("the diowq module was unloaded: no more events");
        }
    }
}

} // namespace diowq::nl
