// SPDX-License-Identifier: GPL-2.0
// What the bench tests share: the machine the made-up runs ran on, a fixture that holds them and
// their summaries, and counting what a report or chart contains.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "bench/runner.hpp"
#include "bench/summary.hpp"

namespace diowq::test {

// As on the test VM: 2 CPUs, the load on CPU 1 in a cpu.weight 1000 group, XFS on an NVMe disk.
inline bench::BenchSetup vm_setup(std::string kernel, std::string mountpoint) {
    bench::BenchSetup setup;
    setup.kernel = std::move(kernel);
    setup.tool_version = "0.1.0";
    setup.online_cpus = 2;
    setup.cpu = 1;
    setup.weight = 1000;
    setup.fstype = "xfs";
    setup.source = "/dev/nvme0n1";
    setup.mountpoint = std::move(mountpoint);
    return setup;
}

// The fixture of the report tests: a bench made up by hand, its runs and their summaries, which
// each test's SetUp() fills in.
class MadeUpBench : public testing::Test {
protected:
    const bench::ConfigurationSummary& summary(std::string_view name) const {
        for (const auto& s : summaries_) {
            if (s.name == name) {
                return s;
            }
        }
        throw std::logic_error("no summary of " + std::string(name));
    }

    bench::BenchSetup setup_;
    std::vector<bench::RunRecord> records_;
    std::vector<bench::ConfigurationSummary> summaries_;
};

// How often `needle` stands in `text` (overlapping ones too).
inline std::size_t occurrences(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// A whole SVG document: the root element first, its end last.
inline testing::AssertionResult is_svg_document(const std::string& svg) {
    if (svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) != 0) {
        return testing::AssertionFailure()
               << "does not start with <svg xmlns=...: " << svg.substr(0, 80);
    }
    if (svg.size() < 7 || svg.substr(svg.size() - 7) != "</svg>\n") {
        return testing::AssertionFailure() << "does not end with </svg>";
    }
    return testing::AssertionSuccess();
}

} // namespace diowq::test
