// SPDX-License-Identifier: GPL-2.0
// CPU lists ("0-1,3", as the kernel prints them in sysfs) and the hex mask format that
// /sys/devices/virtual/workqueue/<name>/cpumask accepts ("b"; 32-bit words, comma-separated, most
// significant first: "1,00000000" is CPU 32).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace diowq::sys {

// Highest CPU number a list may name: far above any real NR_CPUS, low enough to keep masks short.
inline constexpr unsigned max_cpu = 65535;

// Sorted, without repeats. Throws std::invalid_argument with the reason when malformed.
std::vector<unsigned> parse_cpulist(std::string_view text);

// The shortest list for a set of CPUs ("0-2,5").
std::string format_cpulist(const std::vector<unsigned>& cpus);

std::string cpumask_hex(const std::vector<unsigned>& cpus);

// The CPUs this kernel can ever have (/sys/devices/system/cpu/possible); throws diowq::Failure.
std::vector<unsigned> possible_cpus(const std::string& sysfs_cpu_dir = "/sys/devices/system/cpu");
// The CPUs online now (/sys/devices/system/cpu/online); throws diowq::Failure.
std::vector<unsigned> online_cpus(const std::string& sysfs_cpu_dir = "/sys/devices/system/cpu");

// Throws diowq::Failure naming the CPUs of `wanted` that are not in `possible`.
void check_cpus_exist(const std::vector<unsigned>& wanted, const std::vector<unsigned>& possible);

} // namespace diowq::sys
