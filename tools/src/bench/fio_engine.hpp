// SPDX-License-Identifier: GPL-2.0
// The same load run by fio instead of the built-in engine, for the cross-check: fio is started
// as a child of the bench, so it inherits the CPU pin and the cgroup of the configuration, and its
// terse (version 3) output becomes an EngineResult. fio keeps its own clock: the observer's
// measurement window is timed from fio's start (ramp, then runtime), which fio's start-up delay
// shifts a little; the I/O counts and latencies are fio's own.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "bench/engine.hpp"

namespace diowq::bench {

// fio's command line for the load on `path` (laid out already: fio must not touch it).
std::vector<std::string> fio_arguments(const std::string& fio, const std::string& path,
                                       std::uint64_t file_size, const EngineOptions& options);

// fio's --output-format=terse --terse-version=3 line; throws diowq::Failure if it is not one,
// or if fio reports an error.
EngineResult parse_fio_terse(std::string_view text, const EngineOptions& options);

// Runs fio (the program `fio`, found in PATH) and waits for it; `stop` interrupts it.
EngineResult run_fio(const std::string& path, std::uint64_t file_size, const EngineOptions& options,
                     EngineObserver& observer, const std::atomic<bool>& stop);

} // namespace diowq::bench
