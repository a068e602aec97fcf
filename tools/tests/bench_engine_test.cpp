// SPDX-License-Identifier: GPL-2.0
// The built-in load's engines against the host's kernel: real O_DIRECT I/O on a temporary file,
// through libaio and io_uring alike. Skipped where the temporary directories have no O_DIRECT
// (tmpfs) or the kernel has no io_uring.
#include <atomic>
#include <string>

#include <gtest/gtest.h>

#include "bench/engine.hpp"
#include "direct_file.hpp"
#include "errors.hpp"

namespace diowq::bench {
namespace {

constexpr std::uint64_t block = 4096;
constexpr std::uint64_t file_blocks = 256;

using testing_support::DirectFile;
using testing_support::open_direct_file;

struct CountingObserver : EngineObserver {
    unsigned begins = 0;
    unsigned ends = 0;
    void measure_begin() override { ++begins; }
    void measure_end() override { ++ends; }
};

// Each way the load can submit: libaio, io_uring set up as fio's, io_uring with no setup flags.
struct Submitter {
    IoEngine ioengine;
    UringSetup uring_setup;
};

class BenchEngineTest : public ::testing::TestWithParam<Submitter> {
protected:
    void SetUp() override {
        if (const std::string why =
                open_direct_file(file_, "diowq-engine", off_t(file_blocks * block));
            !why.empty()) {
            GTEST_SKIP() << why;
        }
        options_.ioengine = GetParam().ioengine;
        options_.uring_setup = GetParam().uring_setup;
        options_.iodepth = 16;
        options_.batch_submit = 4;
        options_.batch_complete_min = 2;
        options_.batch_complete_max = 8;
        options_.ramp = std::chrono::milliseconds(100);
        options_.runtime = std::chrono::milliseconds(1'100);
    }

    // The run, or a skip where the kernel refuses io_uring (no io_uring, or switched off).
    std::optional<EngineResult> run(std::uint64_t file_size) {
        try {
            return run_engine(file_.fd, file_size, options_, observer_, stop_);
        } catch (const Failure& e) {
            if (std::string(e.what()).starts_with("io_uring_queue_init")) {
                return std::nullopt;
            }
            throw;
        }
    }

    DirectFile file_;
    EngineOptions options_;
    CountingObserver observer_;
    std::atomic<bool> stop_{false};
};

TEST_P(BenchEngineTest, CountsEveryCompletedWrite) {
    const auto result = run(file_blocks * block);
    if (!result) {
        GTEST_SKIP() << "the kernel refuses io_uring";
    }
    EXPECT_EQ(observer_.begins, 1u);
    EXPECT_EQ(observer_.ends, 1u);
    EXPECT_FALSE(result->interrupted);
    EXPECT_GT(result->writes, 0u);
    EXPECT_EQ(result->reads, 0u);
    EXPECT_EQ(result->latency.count(), result->ios());
    EXPECT_GE(result->seconds, 1.0);
    EXPECT_EQ(result->iops_samples.size(), 1u);
    EXPECT_GT(result->cpu_user_seconds + result->cpu_system_seconds, 0.0);
}

TEST_P(BenchEngineTest, MixesReadsAsAsked) {
    options_.read_percent = 50;
    const auto result = run(file_blocks * block);
    if (!result) {
        GTEST_SKIP() << "the kernel refuses io_uring";
    }
    EXPECT_GT(result->reads, 0u);
    EXPECT_GT(result->writes, 0u);
    EXPECT_EQ(result->latency.count(), result->reads + result->writes);
}

// Reads past the end of the file complete with 0 bytes: a short I/O, which must stop the run
// with a message naming the operation, its size and offset.
TEST_P(BenchEngineTest, ShortIoIsAFailureNamingIt) {
    options_.read_percent = 100;
    try {
        const auto result = run(64 * file_blocks * block);
        if (!result) {
            GTEST_SKIP() << "the kernel refuses io_uring";
        }
        ADD_FAILURE() << "no failure after " << result->reads << " reads";
    } catch (const Failure& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("O_DIRECT read of 4096 bytes at offset ", 0), 0u) << message;
        EXPECT_NE(message.find(": only 0 done"), std::string::npos) << message;
    }
}

INSTANTIATE_TEST_SUITE_P(Engines, BenchEngineTest,
                         ::testing::Values(Submitter{IoEngine::libaio, UringSetup::fio},
                                           Submitter{IoEngine::io_uring, UringSetup::fio},
                                           Submitter{IoEngine::io_uring, UringSetup::plain}),
                         [](const auto& param_info) {
                             const Submitter& s = param_info.param;
                             return s.ioengine == IoEngine::io_uring
                                        ? io_engine_name(s.ioengine) + "_" +
                                              uring_setup_name(s.uring_setup)
                                        : io_engine_name(s.ioengine);
                         });

} // namespace
} // namespace diowq::bench
