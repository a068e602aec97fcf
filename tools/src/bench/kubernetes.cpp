// SPDX-License-Identifier: GPL-2.0
#include "bench/kubernetes.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "bench/name_table.hpp"

namespace diowq::bench {

namespace {

constexpr NameEntry<Hierarchy> hierarchy_names[] = {
    {"flat", Hierarchy::flat},
    {"k8s", Hierarchy::k8s},
    {"k8s-linear", Hierarchy::k8s_linear},
};

constexpr std::uint64_t min_shares = 2;
constexpr std::uint64_t max_shares = 262144;

// splitmix64: enough to make names that look like and are as unique as kubelet's.
std::uint64_t mix(std::uint64_t& state) {
    state += 0x9e3779b97f4a7c15;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
}

} // namespace

std::optional<Hierarchy> parse_hierarchy(std::string_view name) {
    return value_named(hierarchy_names, name);
}

std::string hierarchy_name(Hierarchy hierarchy) {
    return name_of(hierarchy_names, hierarchy);
}

std::string conversion_name(Hierarchy hierarchy) {
    switch (hierarchy) {
    case Hierarchy::k8s:
        return "quadratic";
    case Hierarchy::k8s_linear:
        return "linear";
    case Hierarchy::flat:
        break;
    }
    return "";
}

std::uint64_t milli_cpu_to_shares(std::uint64_t milli_cpu) {
    if (milli_cpu == 0) {
        return min_shares;
    }
    return std::clamp(milli_cpu * 1024 / 1000, min_shares, max_shares);
}

unsigned shares_to_weight_linear(std::uint64_t shares) {
    shares = std::clamp(shares, min_shares, max_shares);
    return unsigned(1 + (shares - 2) * 9999 / 262142);
}

unsigned shares_to_weight_quadratic(std::uint64_t shares) {
    if (shares <= min_shares) {
        return 1;
    }
    if (shares >= max_shares) {
        return 10000;
    }
    const double l = std::log2(double(shares));
    const double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
    return unsigned(std::ceil(std::pow(10.0, exponent)));
}

std::string pod_uid_from(std::uint64_t seed) {
    const std::uint64_t a = mix(seed);
    const std::uint64_t b = mix(seed);
    // Version 4, variant 10xx, as a random UUID.
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                       a & 0xfff, 0x8000 | ((b >> 48) & 0x3fff), b & 0xffff'ffff'ffff);
}

std::string container_id_from(std::uint64_t seed) {
    seed ^= 0x636f6e7461696e65; // not the pod's sequence
    std::string id;
    for (int i = 0; i < 4; ++i) {
        id += fmt::format("{:016x}", mix(seed));
    }
    return id;
}

std::vector<CgroupLevel> kubernetes_levels(Hierarchy hierarchy, unsigned cpus,
                                           const std::string& top, std::string_view pod_uid,
                                           std::string_view container_id) {
    if (hierarchy == Hierarchy::flat) {
        throw std::invalid_argument("a flat hierarchy has no Kubernetes levels");
    }
    const auto weight = [hierarchy](std::uint64_t shares) {
        return hierarchy == Hierarchy::k8s_linear ? shares_to_weight_linear(shares)
                                                  : shares_to_weight_quadratic(shares);
    };
    // One pod requesting the whole node: allocatable, the Burstable class's sum, the pod's and
    // the container's requests are all the machine's CPUs.
    const std::uint64_t shares = milli_cpu_to_shares(std::uint64_t{std::max(cpus, 1u)} * 1000);
    const unsigned w = weight(shares);
    return {
        {top, w, "kubepods", shares},
        {"burstable", w, "qos", shares},
        {fmt::format("pod{}", pod_uid), w, "pod", shares},
        {std::string(container_id), w, "container", shares},
    };
}

} // namespace diowq::bench
