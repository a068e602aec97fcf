// SPDX-License-Identifier: GPL-2.0
// The load's cgroup as Kubernetes nests a container (--hierarchy k8s): kubelet's cgroupfs driver
// layout, kubepods/burstable/pod<uid>/<container id>, with the cpu.weight kubelet and the
// container runtime give each level for one Burstable pod whose only container requests all of
// the machine's CPUs (and sets no limit), on a node without reservations.
//
// kubelet turns a CPU request into cgroup v1 shares (MilliCPUToShares: milliCPU x 1024 / 1000,
// at least 2, at most 262144): the node's allocatable CPU for kubepods, the sum of the Burstable
// pods' requests for the burstable QoS group, the pod's requests for the pod, the container's
// request for the container (through the CRI, by the runtime). On cgroup v2 the shares become a
// cpu.weight by one of two conversions (docs/benchmarks.md has the sources):
//
//   linear     1 + (shares - 2) x 9999 / 262142: kubelet up to 1.34, runc before 1.3.2, crun
//              before 1.23 (1024 shares, one CPU, are weight 39)
//   quadratic  ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(shares): opencontainers/cgroups
//              since 2025, runc 1.3.2+, crun 1.23+, kubelet 1.35+ (1024 shares are weight 100)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/cgroup.hpp"

namespace diowq::bench {

enum class Hierarchy {
    flat,       // one group below --cgroup-parent with --weight (the default)
    k8s,        // kubelet's nesting, weights by the quadratic conversion (current runtimes)
    k8s_linear, // the same nesting, weights by the linear conversion (older clusters)
};

std::optional<Hierarchy> parse_hierarchy(std::string_view name);
std::string hierarchy_name(Hierarchy hierarchy);
// The shares-to-weight conversion a hierarchy uses: "quadratic", "linear"; "" for flat.
std::string conversion_name(Hierarchy hierarchy);

// kubelet's MilliCPUToShares.
std::uint64_t milli_cpu_to_shares(std::uint64_t milli_cpu);
// The two conversions of cgroup v1 shares to a cgroup v2 cpu.weight.
unsigned shares_to_weight_linear(std::uint64_t shares);
unsigned shares_to_weight_quadratic(std::uint64_t shares);

// A pod UID ("0f8e...-...", as the API server makes them, version 4) and a container ID (64 hex
// digits, as containerd's), both from `seed`: the same seed gives the same names.
std::string pod_uid_from(std::uint64_t seed);
std::string container_id_from(std::uint64_t seed);

// The levels below --cgroup-parent, top first: `top` (kubelet's "kubepods"), "burstable",
// "pod<uid>", the container; each with the weight of a Burstable pod requesting `cpus` CPUs.
std::vector<CgroupLevel> kubernetes_levels(Hierarchy hierarchy, unsigned cpus,
                                           const std::string& top, std::string_view pod_uid,
                                           std::string_view container_id);

} // namespace diowq::bench
