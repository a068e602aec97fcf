// SPDX-License-Identifier: GPL-2.0
// The diowq generic netlink client: resolves the family, checks its version, and runs each command
// of include/uapi/diowq.h as one method.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "errors.hpp"
#include "model/latency.hpp"
#include "model/model.hpp"
#include "netlink/family.hpp"
#include "netlink/socket.hpp"

namespace diowq::nl {

// The family "diowq" is not registered: the module is not loaded.
class ModuleNotLoaded : public Failure {
public:
    ModuleNotLoaded();
};

// The module speaks another version of the family than this tool.
class FamilyVersionMismatch : public Failure {
public:
    explicit FamilyVersionMismatch(std::uint32_t module_version);
    std::uint32_t module_version() const { return module_version_; }

private:
    std::uint32_t module_version_;
};

// The controller's view of the family, or nullopt when it is not registered.
std::optional<FamilyInfo> lookup_family(GenlSocket& socket, std::string_view name);

class DiowqClient {
public:
    // Throws ModuleNotLoaded or FamilyVersionMismatch.
    static DiowqClient connect();

    const FamilyInfo& family() const { return family_; }

    // Receives the kernel's message when it accepts a request with one (a warning).
    void on_warning(std::function<void(const std::string&)> handler) {
        on_warning_ = std::move(handler);
    }

    Config get_config();
    void set_config(const ConfigChange& change);
    // nullopt when the superblock is not tuned (the kernel answers ENOENT).
    std::optional<SuperblockStatus> get_superblock(int mount_root_fd);
    std::vector<SuperblockStatus> list_superblocks();
    void tune(int mount_root_fd, std::optional<Mode> mode);
    // Mode cgroup. The module does not wait in a netlink request, and answers EAGAIN instead, for
    // a moment, in two cases: a leaf of an earlier tune of the filesystem is still being removed
    // ("a previous leaf is still being removed: retry"), or its queue_work_on() hook is being
    // removed after the last filesystem in mode cgroup left it ("the queue_work_on() hook is
    // being removed: retry"). Any EAGAIN is retried here every 20 ms for up to `busy_for`; then
    // the last one is thrown, with the kernel's reason.
    void tune_cgroup(int mount_root_fd, const CgroupRequest& cgroup,
                     std::chrono::milliseconds busy_for = std::chrono::seconds(10));
    // Returns at once: a leaf cgroup of mode cgroup is removed shortly after (see
    // sys::wait_gone()).
    void untune(int mount_root_fd);
    void untune_all();

    // Calls `on_event` for each event and `on_problem` for what is not one (a malformed message,
    // events lost to a full buffer) until the process is killed; leaves only by exception, e.g.
    // a Failure when the module is unloaded.
    void monitor(const std::function<void(const Event&)>& on_event,
                 const std::function<void(const std::string&)>& on_problem);

private:
    DiowqClient(GenlSocket socket, FamilyInfo family);

    // Runs one request, passing on its warning.
    void transact(NlMessage& request, const MessageHandler& on_message);

    GenlSocket socket_;
    FamilyInfo family_;
    std::function<void(const std::string&)> on_warning_;
};

} // namespace diowq::nl
