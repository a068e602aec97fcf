// SPDX-License-Identifier: GPL-2.0
// CPU lists in, workqueue cpumask strings out.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "errors.hpp"
#include "system/cpulist.hpp"
#include "temp_path.hpp"

namespace diowq::sys {
namespace {

using Cpus = std::vector<unsigned>;

TEST(CpuList, ParsesSinglesAndRanges) {
    EXPECT_EQ(parse_cpulist("0"), Cpus{0});
    EXPECT_EQ(parse_cpulist("0-1,3"), (Cpus{0, 1, 3}));
    EXPECT_EQ(parse_cpulist("5,1-2"), (Cpus{1, 2, 5}));
    EXPECT_EQ(parse_cpulist("2-2"), Cpus{2});
}

TEST(CpuList, SortsAndDropsRepeats) {
    EXPECT_EQ(parse_cpulist("3,1-3,1"), (Cpus{1, 2, 3}));
}

TEST(CpuList, AcceptsTheKernelsTrailingNewline) {
    EXPECT_EQ(parse_cpulist("0-3\n"), (Cpus{0, 1, 2, 3}));
}

TEST(CpuList, RejectsMalformedLists) {
    for (const char* bad : {"", " ", ",", "1,", ",1", "1,,2", "a", "1-", "-1", "1-a", "3-1", "1.5",
                            "0x1", "1 2", "65536", "99999999999"}) {
        EXPECT_THROW(parse_cpulist(bad), std::invalid_argument) << '"' << bad << '"';
    }
}

TEST(CpuList, FormatsRanges) {
    EXPECT_EQ(format_cpulist({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
    EXPECT_EQ(format_cpulist({4}), "4");
    EXPECT_EQ(format_cpulist({}), "");
}

TEST(CpuMask, OneWord) {
    EXPECT_EQ(cpumask_hex({0}), "1");
    EXPECT_EQ(cpumask_hex({0, 1, 3}), "b");
    EXPECT_EQ(cpumask_hex({31}), "80000000");
}

TEST(CpuMask, WordsMostSignificantFirstAndPadded) {
    EXPECT_EQ(cpumask_hex({32}), "1,00000000");
    EXPECT_EQ(cpumask_hex({0, 33}), "2,00000001");
    EXPECT_EQ(cpumask_hex({64}), "1,00000000,00000000");
    EXPECT_EQ(cpumask_hex(parse_cpulist("0-63")), "ffffffff,ffffffff");
}

TEST(CpuMask, Empty) {
    EXPECT_EQ(cpumask_hex({}), "0");
}

TEST(CpuList, ChecksCpusExist) {
    EXPECT_NO_THROW(check_cpus_exist({0, 1}, {0, 1, 2, 3}));
    try {
        check_cpus_exist({1, 4, 5}, {0, 1, 2, 3});
        FAIL() << "no exception";
    } catch (const Failure& e) {
        EXPECT_STREQ(e.what(), "--cpus: CPUs 4-5 do not exist here (possible CPUs: 0-3)");
    }
    try {
        check_cpus_exist({7}, {0, 1});
        FAIL() << "no exception";
    } catch (const Failure& e) {
        EXPECT_STREQ(e.what(), "--cpus: CPU 7 does not exist here (possible CPUs: 0-1)");
    }
}

TEST(CpuList, ReadsPossibleCpus) {
    const auto dir = testing_support::temp_path("diowq-cpu-test");
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "possible") << "0-5\n";
    EXPECT_EQ(possible_cpus(dir.string()), (Cpus{0, 1, 2, 3, 4, 5}));
    std::filesystem::remove_all(dir);
    EXPECT_THROW(possible_cpus(dir.string()), Failure);
}

TEST(CpuList, ReadsOnlineCpus) {
    const auto dir = testing_support::temp_path("diowq-cpu-online-test");
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "possible") << "0-5\n";
    std::ofstream(dir / "online") << "0,2-3\n";
    EXPECT_EQ(online_cpus(dir.string()), (Cpus{0, 2, 3}));
    std::filesystem::remove_all(dir);
    EXPECT_THROW(online_cpus(dir.string()), Failure);
}

} // namespace
} // namespace diowq::sys
