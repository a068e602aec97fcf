// SPDX-License-Identifier: GPL-2.0
// The dispatch-latency BPF program against the running kernel: async O_DIRECT writes into
// preallocated (unwritten) space need their extents converted at completion, so every kernel,
// 7.x included, queues them on s_dio_done_wq; the program must count each one that was queued,
// on the file's filesystem, with the kernel's queue and a histogram that adds up. Needs root and
// BTF; skipped without them, or where the temporary directory has no O_DIRECT.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "bpf/dispatch_probe.hpp"
#include "direct_file.hpp"
#include "errors.hpp"

namespace diowq::bpf {
namespace {

constexpr std::size_t block = 4096;
constexpr unsigned writes = 1024;
constexpr unsigned depth = 64;

using testing_support::DirectFile;
using testing_support::open_direct_file;

// Each block written once, `depth` at a time: every write converts an unwritten extent.
void write_every_block_async(int fd) {
    aio_context_t ctx = 0;
    ASSERT_EQ(0, ::syscall(SYS_io_setup, depth, &ctx)) << std::strerror(errno);
    void* buffer = nullptr;
    ASSERT_EQ(0, ::posix_memalign(&buffer, block, block * depth));
    std::memset(buffer, 0x5a, block * depth);

    std::array<iocb, depth> cbs{};
    std::array<iocb*, depth> ptrs{};
    std::array<io_event, depth> events{};
    for (unsigned done = 0; done < writes; done += depth) {
        for (unsigned i = 0; i < depth; i++) {
            cbs[i] = iocb{};
            cbs[i].aio_lio_opcode = IOCB_CMD_PWRITE;
            cbs[i].aio_fildes = std::uint32_t(fd);
            cbs[i].aio_buf = reinterpret_cast<std::uintptr_t>(buffer) + i * block;
            cbs[i].aio_nbytes = block;
            cbs[i].aio_offset = std::int64_t((done + i) * block);
            ptrs[i] = &cbs[i];
        }
        ASSERT_EQ(long(depth), ::syscall(SYS_io_submit, ctx, long(depth), ptrs.data()));
        long reaped = 0;
        while (reaped < long(depth)) {
            const long n =
                ::syscall(SYS_io_getevents, ctx, 1L, long(depth), events.data(), nullptr);
            ASSERT_LT(0, n) << std::strerror(errno);
            for (long i = 0; i < n; i++) {
                ASSERT_EQ(std::int64_t(block), events[std::size_t(i)].res);
            }
            reaped += n;
        }
    }
    std::free(buffer);
    ::syscall(SYS_io_destroy, ctx);
}

// Root, BTF and a file for O_DIRECT writes (else skipped), and its filesystem's device.
class DispatchProbeTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0 || ::access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
            GTEST_SKIP() << "needs root and /sys/kernel/btf/vmlinux";
        }
        if (const auto why = open_direct_file(file, "diowq-dispatch", off_t(writes * block));
            !why.empty()) {
            GTEST_SKIP() << why;
        }
        struct stat st {};
        ASSERT_EQ(0, ::fstat(file.fd, &st));
        dev = DeviceNumber{major(st.st_dev), minor(st.st_dev)};
    }

    DirectFile file;
    DeviceNumber dev;
};

TEST_F(DispatchProbeTest, CountsEveryQueuedCompletionOfTheFilesFilesystem) {
    DispatchProbe probe;
    ASSERT_TRUE(probe.coverage().completion_function) << "iomap_dio_complete_work not found";
    ASSERT_TRUE(probe.coverage().filesystems) << "struct iomap_dio not in BTF";
    write_every_block_async(file.fd);

    std::uint64_t queued = 0;
    std::uint64_t in_hist = 0;
    std::uint64_t completed = 0;
    std::vector<std::string> queues;
    for (const auto& c : probe.read(false)) {
        if (c.dev != dev) {
            continue;
        }
        queued += c.queued;
        completed += c.completed;
        in_hist += std::accumulate(c.delay_hist.begin(), c.delay_hist.end(), std::uint64_t{0});
        EXPECT_LE(c.delay_max_ns, c.delay_sum_ns);
        if (c.queued != 0) {
            queues.push_back(c.queue);
        }
    }
    // A write whose bio ends before io_submit returns is completed by the submitter itself,
    // without a queue: a few per thousand under emulation, none here usually. Other direct
    // writes to this filesystem meanwhile would add to the count: allow a little.
    EXPECT_LE(writes * 9 / 10, queued);
    EXPECT_GE(writes + 64, queued);
    EXPECT_EQ(queued, in_hist);
    ASSERT_FALSE(queues.empty());
    for (const auto& q : queues) {
        EXPECT_EQ(0U, q.rfind("dio/", 0)) << "queue " << q;
    }
    if (probe.coverage().all_completions) {
        EXPECT_LE(queued, completed);
    }
}

std::uint64_t queued_on(const DispatchProbe& probe, DeviceNumber dev) {
    std::uint64_t queued = 0;
    for (const auto& c : probe.read(false)) {
        if (c.dev == dev) {
            queued += c.queued;
        }
    }
    return queued;
}

std::uint64_t max_on(const std::vector<DispatchCounters>& counters, DeviceNumber dev) {
    std::uint64_t max = 0;
    for (const auto& c : counters) {
        if (c.dev == dev) {
            max = std::max(max, c.delay_max_ns);
        }
    }
    return max;
}

// Taking a window's maximum starts the next window: with no completion since, it is 0, while
// the maximum since the program was attached stays.
TEST_F(DispatchProbeTest, WindowMaximumRestartsAfterEachTake) {
    DispatchProbe probe;
    write_every_block_async(file.fd);
    const std::uint64_t first = max_on(probe.read(true), dev);
    EXPECT_LT(0U, first);
    EXPECT_EQ(0U, max_on(probe.read(true), dev));
    EXPECT_EQ(first, max_on(probe.read(false), dev));
}

// `diowqctl watch` pins the program; top and diagnose read it; `diowqctl unwatch` detaches it.
TEST_F(DispatchProbeTest, PinnedProgramMeasuresUntilUnpinned) {
    if (DispatchProbe::open_pinned()) {
        GTEST_SKIP() << pin_directory << " is in use: something is watched";
    }

    {
        DispatchProbe loader;
        loader.pin();
    } // the loader is gone; the pins keep the program attached
    auto pinned = DispatchProbe::open_pinned();
    ASSERT_TRUE(pinned.has_value());
    write_every_block_async(file.fd);
    EXPECT_LE(writes * 9 / 10, queued_on(*pinned, dev));

    EXPECT_TRUE(DispatchProbe::unpin());
    EXPECT_FALSE(DispatchProbe::open_pinned().has_value());
    EXPECT_FALSE(DispatchProbe::unpin());
}

TEST(DispatchProbe, DeviceNumbersDecodeTheKernelsEncoding) {
    EXPECT_EQ((DeviceNumber{254, 16}), device_from_kernel((254U << 20) | 16U));
    EXPECT_EQ((DeviceNumber{0, 0}), device_from_kernel(0));
    EXPECT_EQ((DeviceNumber{4095, 1048575}), device_from_kernel(0xffffffffU));
}

} // namespace
} // namespace diowq::bpf
