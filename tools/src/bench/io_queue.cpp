// SPDX-License-Identifier: GPL-2.0
#include "bench/io_queue.hpp"

#include "bench/name_table.hpp"

namespace diowq::bench {

namespace {

// As fio spells them.
constexpr NameEntry<IoEngine> io_engine_names[] = {
    {"libaio", IoEngine::libaio},
    {"io_uring", IoEngine::io_uring},
};

constexpr NameEntry<UringSetup> uring_setup_names[] = {
    {"fio", UringSetup::fio},
    {"plain", UringSetup::plain},
};

} // namespace

std::optional<IoEngine> parse_io_engine(std::string_view name) {
    return value_named(io_engine_names, name);
}

std::string io_engine_name(IoEngine engine) {
    return name_of(io_engine_names, engine);
}

std::optional<UringSetup> parse_uring_setup(std::string_view name) {
    return value_named(uring_setup_names, name);
}

std::string uring_setup_name(UringSetup setup) {
    return name_of(uring_setup_names, setup);
}

std::string io_engine_label(IoEngine engine, UringSetup setup) {
    return engine == IoEngine::io_uring && setup == UringSetup::plain ? "io_uring (plain setup)"
                                                                      : io_engine_name(engine);
}

std::unique_ptr<IoQueue> make_io_queue(IoEngine engine, int fd, std::uint32_t depth,
                                       UringSetup setup) {
    return engine == IoEngine::io_uring ? make_uring_queue(fd, depth, setup)
                                        : make_aio_queue(fd, depth);
}

} // namespace diowq::bench
