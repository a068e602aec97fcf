// SPDX-License-Identifier: GPL-2.0
// The fio cross-check's adapter: the command line it gives fio, and what it reads back from fio's
// terse output (a line captured from fio 3.33: randwrite 4k, iodepth 32, 1 s).
#include <gtest/gtest.h>

#include "bench/fio_engine.hpp"
#include "errors.hpp"

namespace diowq::bench {
namespace {

constexpr const char* terse =
    "3;fio-3.33;t;0;0;0;0;0;0;0;0;0.000000;0.000000;0;0;0.000000;0.000000;1.000000%=0;5.00000"
    "0%=0;10.000000%=0;20.000000%=0;30.000000%=0;40.000000%=0;50.000000%=0;60.000000%=0;70.00"
    "0000%=0;80.000000%=0;90.000000%=0;95.000000%=0;99.000000%=0;99.500000%=0;99.900000%=0;99"
    ".950000%=0;99.990000%=0;0%=0;0%=0;0%=0;0;0;0.000000;0.000000;0;0;0.000000%;0.000000;0.00"
    "0000;308484;308175;77043;1001;3;1573;11.494931;14.295682;0;4449;403.145139;304.264711;1."
    "000000%=146;5.000000%=146;10.000000%=148;20.000000%=150;30.000000%=152;40.000000%=175;50"
    ".000000%=301;60.000000%=362;70.000000%=561;80.000000%=757;90.000000%=839;95.000000%=856;"
    "99.000000%=937;99.500000%=1011;99.900000%=2637;99.950000%=3194;99.990000%=4423;0%=0;0%=0"
    ";0%=0;20;4455;414.640069;311.872926;231176;231176;75.014521%;231176.000000;0.000000;3.30"
    "0000%;78.500000%;22041;0;13;0.1%;0.1%;0.1%;0.1%;0.1%;100.0%;0.0%;0.00%;0.00%;0.00%;0.00%"
    ";0.01%;0.01%;45.51%;22.78%;10.96%;20.23%;0.31%;0.16%;0.04%;0.00%;0.00%;0.00%;0.00%;0.00%"
    ";0.00%;0.00%;0.00%;0.00%;vda;0;72072;0;0;0;3375;3376;82.09%\n";

TEST(BenchFio, ArgumentsMirrorTheEngineOptions) {
    EngineOptions o;
    o.runtime = std::chrono::milliseconds(12'000);
    o.ramp = std::chrono::milliseconds(3'000);
    EXPECT_EQ(fio_arguments("fio", "/mnt/x/diowq-bench.1", 1u << 30, o),
              (std::vector<std::string>{
                  "fio", "--name=diowq-bench", "--filename=/mnt/x/diowq-bench.1",
                  "--size=1073741824", "--ioengine=libaio", "--direct=1", "--bs=4096",
                  "--iodepth=128", "--rw=randwrite", "--iodepth_batch_submit=128",
                  "--iodepth_batch_complete_min=1", "--iodepth_batch_complete_max=128",
                  "--time_based", "--runtime=12000ms", "--ramp_time=3000ms", "--fallocate=none",
                  "--output-format=terse", "--terse-version=3"}));
    o.read_percent = 30;
    o.ramp = std::chrono::milliseconds(0);
    const auto mixed = fio_arguments("fio", "/f", 4096, o);
    EXPECT_NE(std::find(mixed.begin(), mixed.end(), "--rw=randrw"), mixed.end());
    EXPECT_NE(std::find(mixed.begin(), mixed.end(), "--rwmixread=30"), mixed.end());
    EXPECT_EQ(std::find_if(mixed.begin(), mixed.end(),
                           [](const auto& a) { return a.rfind("--ramp_time", 0) == 0; }),
              mixed.end());
    o.ioengine = IoEngine::io_uring;
    const auto uring = fio_arguments("fio", "/f", 4096, o);
    EXPECT_NE(std::find(uring.begin(), uring.end(), "--ioengine=io_uring"), uring.end());
    EXPECT_EQ(std::find(uring.begin(), uring.end(), "--ioengine=libaio"), uring.end());
}

// append and dsync: fio appends from the file's end and opens it O_DSYNC, as the engine does.
TEST(BenchFio, PatternsArePassedOn) {
    EngineOptions o;
    o.offsets = Offsets::append;
    o.dsync = true;
    const auto args = fio_arguments("fio", "/f", 4096, o);
    const auto has = [&](const char* arg) {
        return std::find(args.begin(), args.end(), arg) != args.end();
    };
    EXPECT_TRUE(has("--rw=write"));
    EXPECT_TRUE(has("--file_append=1"));
    EXPECT_TRUE(has("--sync=dsync"));
    EXPECT_FALSE(has("--rw=randwrite"));
}

// The line's answers, worked out by hand from its fields (terse v3, fio's HOWTO; counted from 1):
//   write io 308484 KiB (field 47) in 4 KiB blocks: 308484 / 4 = 77121 writes;
//   write runtime 1001 ms (field 50): 1.001 s, so 77121 / 1.001 = 77044 IOPS, as fio's own
//   write iops (field 49) says within its rounding: 77043;
//   usr 3.3 % and sys 78.5 % (fields 88, 89) of 1.001 s: 0.033033 s and 0.785785 s.
constexpr std::uint64_t terse_writes = 77'121;

TEST(BenchFio, ParsesTerseVersion3) {
    const EngineResult r = parse_fio_terse(terse, EngineOptions{});
    EXPECT_EQ(r.reads, 0u);
    EXPECT_EQ(r.writes, terse_writes);
    EXPECT_DOUBLE_EQ(r.seconds, 1.001);
    EXPECT_NEAR(r.iops(), 77043, 1);
    ASSERT_TRUE(r.latency_summary());
    const LatencySummary l = *r.latency_summary();
    EXPECT_EQ(l.min, 0u);
    EXPECT_EQ(l.max, 4'449'000u);
    EXPECT_NEAR(l.mean, 403'145.139, 1e-6);
    EXPECT_EQ(l.p50, 301'000u);
    EXPECT_EQ(l.p90, 839'000u);
    EXPECT_EQ(l.p99, 937'000u);
    EXPECT_EQ(l.p99_9, 2'637'000u);
    EXPECT_NEAR(r.cpu_user_seconds, 0.033033, 1e-9);
    EXPECT_NEAR(r.cpu_system_seconds, 0.785785, 1e-9);
    EXPECT_EQ(r.voluntary_switches, 22041);
    EXPECT_TRUE(r.iops_samples.empty());
}

TEST(BenchFio, TakesTheLastLine) {
    const std::string text = std::string("fio: some note\n") + terse;
    EXPECT_EQ(parse_fio_terse(text, EngineOptions{}).writes, terse_writes);
}

TEST(BenchFio, RefusesWhatIsNotTerse3) {
    EXPECT_THROW(parse_fio_terse("", EngineOptions{}), Failure);
    EXPECT_THROW(parse_fio_terse("2;fio-3.33;t;0;0", EngineOptions{}), Failure);
    std::string failed = terse;
    failed.replace(failed.find(";t;0;0;") + 5, 1, "5"); // the error field
    EXPECT_THROW(parse_fio_terse(failed, EngineOptions{}), Failure);
}

} // namespace
} // namespace diowq::bench
