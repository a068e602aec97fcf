// SPDX-License-Identifier: GPL-2.0
#include "bench/progress.hpp"

#include <cmath>

#include <fmt/format.h>

#include "bench/report_table.hpp"
#include "output/render.hpp"
#include "system/terminal.hpp"

namespace diowq::bench {

Progress resolve_progress(Progress asked, int fd) {
    if (asked != Progress::automatic) {
        return asked;
    }
    return sys::redrawable_terminal(fd) ? Progress::bar : Progress::lines;
}

std::string progress_bar(double fraction, int width) {
    const double clamped = std::clamp(fraction, 0.0, 1.0);
    const auto done = static_cast<int>(std::lround(clamped * width));
    return "[" + std::string(std::size_t(done), '#') + std::string(std::size_t(width - done), '.') +
           "]";
}

ProgressDisplay::ProgressDisplay(std::ostream& err, Progress mode,
                                 std::chrono::milliseconds per_run)
    : err_(err)
    , mode_(mode)
    , per_run_(per_run) {}

void ProgressDisplay::draw(const std::string& text) {
    if (mode_ != Progress::bar) {
        return;
    }
    err_ << "\r\033[K" << text << std::flush;
    drawn_ = true;
}

void ProgressDisplay::clear() {
    if (drawn_) {
        err_ << "\r\033[K" << std::flush;
        drawn_ = false;
    }
}

void ProgressDisplay::layout(std::uint64_t done, std::uint64_t total) {
    if (mode_ == Progress::none || total == 0) {
        return;
    }
    const int percent = static_cast<int>(done * 100 / total);
    if (percent == layout_percent_) {
        return;
    }
    if (mode_ == Progress::lines) {
        if (layout_percent_ < 0) {
            err_ << fmt::format("laying out the test file ({} MiB)\n", total >> 20) << std::flush;
        }
        layout_percent_ = percent;
        return;
    }
    layout_percent_ = percent;
    draw(fmt::format("laying out the test file {} {}%", progress_bar(double(percent) / 100, 30),
                     percent));
    if (done == total) {
        clear();
    }
}

void ProgressDisplay::warmup_started(std::chrono::milliseconds duration) {
    if (mode_ == Progress::none) {
        return;
    }
    if (mode_ == Progress::lines) {
        err_ << fmt::format("warming up ({}, not recorded)\n",
                            render::duration(std::uint64_t(duration.count())))
             << std::flush;
        return;
    }
    draw(fmt::format("warming up ({}, not recorded)",
                     render::duration(std::uint64_t(duration.count()))));
}

void ProgressDisplay::run_started(const RunRecord& record, std::size_t total_runs) {
    run_ = record.sequence;
    total_runs_ = total_runs;
    configuration_ = record.configuration;
    round_ = record.round;
    run_progress(0, 1);
}

void ProgressDisplay::run_progress(std::uint64_t done_ns, std::uint64_t total_ns) {
    if (mode_ != Progress::bar || total_runs_ == 0 || total_ns == 0) {
        return;
    }
    const double in_run = double(done_ns) / double(total_ns);
    const double overall = (double(run_) + in_run) / double(total_runs_);
    const auto left_ms = static_cast<std::uint64_t>((double(total_runs_ - run_) - in_run) *
                                                    double(per_run_.count()));
    draw(fmt::format("{} {}/{} {} #{}  {} left", progress_bar(overall, 30), run_ + 1, total_runs_,
                     configuration_, round_ + 1, render::duration(left_ms)));
}

void ProgressDisplay::run_finished(const RunRecord& record, std::size_t total_runs) {
    if (mode_ == Progress::none) {
        return;
    }
    clear();
    err_ << run_line(record, total_runs) << '\n' << std::flush;
}

void ProgressDisplay::warning(const std::string& message) {
    clear();
    err_ << "diowqctl: warning: " << message << '\n' << std::flush;
}

} // namespace diowq::bench
