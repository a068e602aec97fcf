// SPDX-License-Identifier: GPL-2.0
// The file the load writes: created in the directory under test, laid out for the write pattern
// (written with zeros in full, fallocated, or empty) and opened as it needs (O_DSYNC for dsync),
// removed when the bench ends (also after an error or Ctrl-C, by unwinding).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "bench/options.hpp"
#include "system/unique_fd.hpp"

namespace diowq::bench {

// The suffix of job `job`'s file when `jobs` run: none for a single job (diowq-bench.<pid>, as
// always), "-<job>" for each of several.
std::string test_file_suffix(unsigned job, unsigned jobs);

class TestFile {
public:
    // Called now and then while the file is written: bytes done of total.
    using Progress = std::function<void(std::uint64_t, std::uint64_t)>;

    // Creates `directory`/diowq-bench.<pid><suffix> (never an existing file) and lays it out.
    // Throws diowq::Failure; an interrupted layout (stop set) throws too.
    TestFile(const std::string& directory, std::uint64_t size, Pattern pattern,
             const std::atomic<bool>& stop, const Progress& progress, std::string_view suffix = "");
    TestFile(const TestFile&) = delete;
    TestFile& operator=(const TestFile&) = delete;
    ~TestFile();

    const std::string& path() const { return path_; }
    std::uint64_t size() const { return size_; }
    Pattern pattern() const { return pattern_; }
    // Open O_RDWR | O_DIRECT, and O_DSYNC for dsync.
    int fd() const { return fd_.get(); }
    // Before each run: a fallocated or appended file is made afresh, so that every run meets
    // unwritten extents or extends the file from 0; a written one stays as it is.
    void prepare_run();

private:
    void create();

    std::string path_;
    std::uint64_t size_;
    Pattern pattern_;
    const std::atomic<bool>& stop_;
    Progress progress_;
    sys::UniqueFd fd_;
};

} // namespace diowq::bench
