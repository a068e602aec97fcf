// SPDX-License-Identifier: GPL-2.0
// The write patterns against a real filesystem: the test file laid out and opened as each needs,
// and the engine appending until the file is full, emptying it, and appending again. Needs a
// directory with O_DIRECT (/var/tmp, else the test temporary directory); skipped without one.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "bench/engine.hpp"
#include "bench/testfile.hpp"
#include "temp_path.hpp"

namespace diowq::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t file_size = 256 * 1024; // 64 blocks of 4 KiB

class BenchPatternTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const fs::path& base : {fs::path("/var/tmp"), fs::path(::testing::TempDir())}) {
            const fs::path dir = base / testing_support::temp_path("diowq-pattern").filename();
            std::error_code error;
            fs::create_directories(dir, error);
            if (error) {
                continue;
            }
            try {
                TestFile probe(dir.string(), 4096, Pattern::overwrite, stop_, {});
                directory_ = dir;
                return;
            } catch (const std::exception&) {
                fs::remove_all(dir, error); // no O_DIRECT here
            }
        }
        GTEST_SKIP() << "no directory with O_DIRECT";
    }

    void TearDown() override {
        std::error_code error;
        if (!directory_.empty()) {
            fs::remove_all(directory_, error);
        }
    }

    static struct stat stat_of(const TestFile& file) {
        struct stat st {};
        EXPECT_EQ(0, ::fstat(file.fd(), &st));
        return st;
    }

    std::atomic<bool> stop_{false};
    fs::path directory_;
};

TEST_F(BenchPatternTest, EachPatternLaysOutAndOpensItsFile) {
    // The file's name is the process's: one directory each.
    const auto in = [this](const char* name) {
        fs::create_directory(directory_ / name);
        return (directory_ / name).string();
    };
    TestFile overwrite(in("overwrite"), file_size, Pattern::overwrite, stop_, {});
    EXPECT_EQ(stat_of(overwrite).st_size, off_t(file_size));
    EXPECT_EQ(0, ::fcntl(overwrite.fd(), F_GETFL) & O_DSYNC);

    TestFile dsync(in("dsync"), file_size, Pattern::dsync, stop_, {});
    EXPECT_EQ(stat_of(dsync).st_size, off_t(file_size));
    EXPECT_EQ(O_DSYNC, ::fcntl(dsync.fd(), F_GETFL) & O_DSYNC);

    TestFile append(in("append"), file_size, Pattern::append, stop_, {});
    EXPECT_EQ(stat_of(append).st_size, 0);

    TestFile unwritten(in("unwritten"), file_size, Pattern::unwritten, stop_, {});
    const struct stat fallocated = stat_of(unwritten);
    EXPECT_EQ(fallocated.st_size, off_t(file_size));
    EXPECT_GE(std::uint64_t(fallocated.st_blocks) * 512, file_size); // allocated, not sparse
    // Afresh before each run: what the last run wrote is gone (an unwritten extent reads zeros).
    void* memory = nullptr;
    ASSERT_EQ(0, ::posix_memalign(&memory, 4096, 4096));
    const std::unique_ptr<void, decltype(&std::free)> block(memory, &std::free);
    std::memset(memory, 0x5a, 4096);
    ASSERT_EQ(4096, ::pwrite(unwritten.fd(), memory, 4096, 0));
    unwritten.prepare_run();
    EXPECT_EQ(stat_of(unwritten).st_size, off_t(file_size));
    ASSERT_EQ(4096, ::pread(unwritten.fd(), memory, 4096, 0));
    EXPECT_EQ(0, static_cast<const unsigned char*>(memory)[0]);
}

// Appending stops at the file's size, lets the writes in flight complete, empties the file and
// starts again; the file never grows past its size.
TEST_F(BenchPatternTest, AppendingEmptiesTheFullFileAndGoesOn) {
    TestFile file(directory_.string(), file_size, Pattern::append, stop_, {});
    EngineOptions o;
    o.offsets = Offsets::append;
    o.iodepth = 8;
    o.batch_submit = 8;
    o.batch_complete_max = 8;
    o.ramp = std::chrono::milliseconds(0);
    // Appends wait for the writes before them (XFS drains direct I/O before it extends a
    // file): ~350 a second on a busy host's disk, so give filling the file twice ample time.
    o.runtime = std::chrono::milliseconds(2000);
    EngineObserver quiet;
    const EngineResult result = run_engine(file.fd(), file.size(), o, quiet, stop_);
    const std::uint64_t blocks = file_size / o.block_size;
    EXPECT_GT(result.writes, 2 * blocks) << "too slow a disk to fill the file twice in 2 s";
    EXPECT_GE(result.file_restarts, result.writes / blocks - 1);
    EXPECT_LE(result.file_restarts, result.writes / blocks);
    EXPECT_LE(stat_of(file).st_size, off_t(file_size));
    EXPECT_EQ(result.reads, 0U);
}

} // namespace
} // namespace diowq::bench
