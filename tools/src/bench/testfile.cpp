// SPDX-License-Identifier: GPL-2.0
#include "bench/testfile.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace diowq::bench {

namespace {

constexpr std::size_t chunk = std::size_t{1} << 20;

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

} // namespace

std::string test_file_suffix(unsigned job, unsigned jobs) {
    return jobs <= 1 ? std::string() : fmt::format("-{}", job);
}

TestFile::TestFile(const std::string& directory, std::uint64_t size, Pattern pattern,
                   const std::atomic<bool>& stop, const Progress& progress, std::string_view suffix)
    : path_(fmt::format("{}/diowq-bench.{}{}", directory, getpid(), suffix))
    , size_(size)
    , pattern_(pattern)
    , stop_(stop)
    , progress_(progress) {
    create();
}

TestFile::~TestFile() {
    fd_.reset();
    unlink(path_.c_str());
}

void TestFile::prepare_run() {
    if (pattern_ == Pattern::unwritten || pattern_ == Pattern::append) {
        fd_.reset();
        unlink(path_.c_str());
        create();
    }
}

void TestFile::create() {
    const int sync = pattern_ == Pattern::dsync ? O_DSYNC : 0;
    sys::UniqueFd fd(
        open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC | sync, 0600));
    if (!fd) {
        throw Failure(fmt::format("cannot create {}: {}{}", path_, std::strerror(errno),
                                  errno == EINVAL ? " (the filesystem has no O_DIRECT)" : ""));
    }
    fd_ = std::move(fd);
    const auto fail = [this](const char* what) {
        const int error = errno;
        fd_.reset();
        unlink(path_.c_str());
        throw Failure(fmt::format("{} {}: {}", what, path_, std::strerror(error)));
    };
    if (pattern_ == Pattern::append) {
        return; // empty: the load extends it
    }
    if (pattern_ == Pattern::unwritten) {
        if (fallocate(fd_.get(), 0, 0, off_t(size_)) != 0) {
            fail("cannot fallocate");
        }
    } else {
        void* memory = nullptr;
        if (posix_memalign(&memory, 4096, chunk) != 0) {
            throw Failure("cannot allocate a write buffer");
        }
        const std::unique_ptr<void, FreeDeleter> buffer(memory);
        // Zeros, as fio lays its files out: some storage stacks (thin provisioning, a
        // hypervisor's zero detection) treat blocks written with zeros differently from blocks
        // written with data, and the load should meet the same storage as fio's would.
        std::memset(memory, 0, chunk);
        for (std::uint64_t done = 0; done < size_;) {
            if (stop_.load(std::memory_order_relaxed)) {
                errno = EINTR;
                fail("interrupted while writing");
            }
            const std::size_t n = std::size_t(std::min<std::uint64_t>(chunk, size_ - done));
            const ssize_t written = pwrite(fd_.get(), memory, n, off_t(done));
            if (written < 0 && errno == EINTR) {
                continue;
            }
            if (written <= 0) {
                fail("cannot write");
            }
            done += std::uint64_t(written);
            if (progress_) {
                progress_(done, size_);
            }
        }
    }
    if (fsync(fd_.get()) != 0) {
        fail("cannot fsync");
    }
}

} // namespace diowq::bench
