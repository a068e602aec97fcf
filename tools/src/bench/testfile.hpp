// SPDX-License-Identifier: GPL-2.0
// The file the load writes: created in the directory under test, laid out as asked (written with
// zeros in full, or fallocated), removed when
// the bench ends (also after an error or Ctrl-C, by unwinding).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "bench/options.hpp"
#include "system/unique_fd.hpp"

namespace diowq::bench {

class TestFile {
public:
    // Called now and then while the file is written: bytes done of total.
    using Progress = std::function<void(std::uint64_t, std::uint64_t)>;

    // Creates `directory`/diowq-bench.<pid> (never an existing file) and lays it out. Throws
    // diowq::Failure; an interrupted layout (stop set) throws too.
    TestFile(const std::string& directory, std::uint64_t size, Layout layout,
             const std::atomic<bool>& stop, const Progress& progress);
    TestFile(const TestFile&) = delete;
    TestFile& operator=(const TestFile&) = delete;
    ~TestFile();

    const std::string& path() const { return path_; }
    std::uint64_t size() const { return size_; }
    Layout layout() const { return layout_; }
    // Open O_RDWR | O_DIRECT.
    int fd() const { return fd_.get(); }
    // Before each run: a fallocated file is made afresh, so that every run meets unwritten
    // extents; a written one stays as it is.
    void prepare_run();

private:
    void create();

    std::string path_;
    std::uint64_t size_;
    Layout layout_;
    const std::atomic<bool>& stop_;
    Progress progress_;
    sys::UniqueFd fd_;
};

} // namespace diowq::bench
