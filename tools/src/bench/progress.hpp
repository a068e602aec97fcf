// SPDX-License-Identifier: GPL-2.0
// What the bench says while it runs, on stderr: a line per finished run and, on a terminal, a
// progress bar with the time left. Nothing is written while a run measures except the bar's
// redraw (a terminal write is cheap; on a serial console it is not, hence lines only there).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

#include "bench/options.hpp"
#include "bench/runner.hpp"

namespace diowq::bench {

// `bar` on a terminal that is not "dumb", else `lines`.
Progress resolve_progress(Progress asked, int fd);

// "[#######.............]": `width` characters for done/total.
std::string progress_bar(double fraction, int width);

class ProgressDisplay : public RunnerEvents {
public:
    ProgressDisplay(std::ostream& err, Progress mode, std::chrono::milliseconds per_run);

    void layout(std::uint64_t done, std::uint64_t total) override;
    void warmup_started(std::chrono::milliseconds duration) override;
    void run_started(const RunRecord& record, std::size_t total_runs) override;
    void run_progress(std::uint64_t done_ns, std::uint64_t total_ns) override;
    void run_finished(const RunRecord& record, std::size_t total_runs) override;
    void warning(const std::string& message) override;

private:
    void draw(const std::string& text);
    void clear();

    std::ostream& err_;
    Progress mode_;
    std::chrono::milliseconds per_run_;
    std::size_t run_ = 0;
    std::size_t total_runs_ = 0;
    std::string configuration_;
    unsigned round_ = 0;
    bool drawn_ = false;
    int layout_percent_ = -1;
};

} // namespace diowq::bench
