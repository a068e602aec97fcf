// SPDX-License-Identifier: GPL-2.0
#include "bench/io_queue.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace diowq::bench {

namespace {

// As fio spells them.
constexpr std::array<std::pair<std::string_view, IoEngine>, 2> io_engine_names{{
    {"libaio", IoEngine::libaio},
    {"io_uring", IoEngine::io_uring},
}};

constexpr std::array<std::pair<std::string_view, UringSetup>, 2> uring_setup_names{{
    {"fio", UringSetup::fio},
    {"plain", UringSetup::plain},
}};

} // namespace

std::optional<IoEngine> parse_io_engine(std::string_view name) {
    const auto* found = std::find_if(io_engine_names.begin(), io_engine_names.end(),
                                     [&](const auto& entry) { return entry.first == name; });
    return found == io_engine_names.end() ? std::nullopt : std::optional(found->second);
}

std::string io_engine_name(IoEngine engine) {
    const auto* found = std::find_if(io_engine_names.begin(), io_engine_names.end(),
                                     [&](const auto& entry) { return entry.second == engine; });
    return std::string(found->first);
}

std::optional<UringSetup> parse_uring_setup(std::string_view name) {
    const auto* found = std::find_if(uring_setup_names.begin(), uring_setup_names.end(),
                                     [&](const auto& entry) { return entry.first == name; });
    return found == uring_setup_names.end() ? std::nullopt : std::optional(found->second);
}

std::string uring_setup_name(UringSetup setup) {
    const auto* found = std::find_if(uring_setup_names.begin(), uring_setup_names.end(),
                                     [&](const auto& entry) { return entry.second == setup; });
    return std::string(found->first);
}

std::unique_ptr<IoQueue> make_io_queue(IoEngine engine, int fd, std::uint32_t depth,
                                       UringSetup setup) {
    return engine == IoEngine::io_uring ? make_uring_queue(fd, depth, setup)
                                        : make_aio_queue(fd, depth);
}

} // namespace diowq::bench
