// SPDX-License-Identifier: GPL-2.0
#include "netlink/socket.hpp"

#include <cerrno>
#include <system_error>

#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace diowq::nl {

namespace {

[[noreturn]] void throw_nl(int err, const char* what) {
    throw std::runtime_error(fmt::format("netlink: {}: {}", what, nl_geterror(err)));
}

void enable(int fd, int option) {
    const int one = 1;
    // Both exist since 4.x; an older kernel just gives less detail, so ignore failures.
    (void)setsockopt(fd, SOL_NETLINK, option, &one, sizeof(one));
}

} // namespace

void GenlSocket::Free::operator()(nl_sock* sock) const {
    nl_socket_free(sock);
}

GenlSocket::GenlSocket()
    : sock_(nl_socket_alloc()) {
    if (!sock_) {
        throw std::bad_alloc();
    }
    if (const int err = genl_connect(sock_.get()); err < 0) {
        throw_nl(err, "cannot open a generic netlink socket");
    }
    // We ask for acks explicitly per request (see diowq_messages.hpp).
    nl_socket_disable_auto_ack(sock_.get());
    const int fd = nl_socket_get_fd(sock_.get());
    // The kernel's error text, and acks that do not echo our request back.
    enable(fd, NETLINK_EXT_ACK);
    enable(fd, NETLINK_CAP_ACK);
}

std::string GenlSocket::transact(NlMessage& request, const MessageHandler& on_message) {
    if (const int err = nl_send_auto(sock_.get(), request.get()); err < 0) {
        throw_nl(err, "cannot send a request");
    }
    ReplyReader reader(request.header()->nlmsg_seq);
    for (;;) {
        const auto datagram = receive();
        if (reader.feed(datagram, on_message)) {
            return reader.warning();
        }
    }
}

void GenlSocket::join_group(std::uint32_t group_id) {
    // Events can come in bursts (auto-tuning every mount, module unload): a roomy buffer.
    (void)nl_socket_set_buffer_size(sock_.get(), 1 << 20, 0);
    if (const int err = nl_socket_add_membership(sock_.get(), static_cast<int>(group_id));
        err < 0) {
        throw_nl(err, "cannot join the events group");
    }
}

std::vector<std::uint8_t> GenlSocket::receive() {
    const int fd = nl_socket_get_fd(sock_.get());
    for (;;) {
        // Peek for the size first: a dump datagram can be larger than a page.
        const ssize_t size = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
        if (size < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "netlink receive");
        }
        std::vector<std::uint8_t> buffer(static_cast<std::size_t>(size));
        const ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "netlink receive");
        }
        buffer.resize(static_cast<std::size_t>(got));
        return buffer;
    }
}

} // namespace diowq::nl
