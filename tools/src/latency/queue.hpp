// SPDX-License-Identifier: GPL-2.0
// Which workqueue runs a CPU's dio completions, told by its worker: a kworker's comm ends with the
// queue it runs or last ran, "kworker/1:2-dio/vdb" (the kernel's queue of vdb, '+' while it runs)
// or "kworker/1:1H-diowq-vdb" (diowq's highpri queue of vdb).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/latency.hpp"
#include "model/model.hpp"

namespace diowq::latency {

// The queue in a kworker's comm ("dio/vdb"); nullopt for a comm without one (an idle worker that
// ran nothing yet, or not a kworker).
std::optional<std::string> worker_queue(std::string_view comm);

// A queue that runs dio completions: the kernel's "dio/<s_id>" or diowq's "diowq-<s_id>".
bool is_dio_queue(std::string_view queue);

// The queue that runs the completions of a CPU: the one its last worker's comm names when that is
// a dio queue (a worker that has since run other work names that other queue instead); else the
// filesystem of the last completion's: its diowq queue when `tuned` lists it, else the kernel's
// "dio/<device>" (`device_name`, the s_id of a block device filesystem: "vdb"). nullopt when
// nothing tells.
std::optional<std::string> completion_queue(const std::optional<std::string>& worker_comm,
                                            const std::optional<DeviceNumber>& dev,
                                            const std::vector<SuperblockStatus>& tuned,
                                            const std::optional<std::string>& device_name);

} // namespace diowq::latency
