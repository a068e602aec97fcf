// SPDX-License-Identifier: GPL-2.0
#include "bench/dispatch.hpp"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "latency/from_dispatch.hpp"
#include "latency/histogram.hpp"
#include "system/cpulist.hpp"

namespace diowq::bench {

std::uint64_t DispatchWindow::completions() const {
    std::uint64_t n = 0;
    for (const auto& c : cpus) {
        n += c.completions;
    }
    return n;
}

std::uint64_t DispatchWindow::completions_on(unsigned cpu) const {
    for (const auto& c : cpus) {
        if (c.cpu == cpu) {
            return c.completions;
        }
    }
    return 0;
}

LatencyBuckets DispatchWindow::hist() const {
    LatencyBuckets sum{};
    for (const auto& c : cpus) {
        latency::operator+=(sum, c.hist);
    }
    return sum;
}

std::optional<std::uint64_t> DispatchWindow::max_ns() const {
    std::optional<std::uint64_t> max;
    for (const auto& c : cpus) {
        if (c.max_ns && (!max || *c.max_ns > *max)) {
            max = c.max_ns;
        }
    }
    return max;
}

std::optional<std::uint64_t> DispatchWindow::percentile_ns(double p) const {
    return latency::percentile(hist(), p, max_ns());
}

std::optional<std::uint64_t> DispatchWindow::mean_ns() const {
    const std::uint64_t n = completions();
    if (n == 0) {
        return std::nullopt;
    }
    std::uint64_t sum = 0;
    for (const auto& c : cpus) {
        sum += c.sum_ns;
    }
    return sum / n;
}

std::optional<double> DispatchWindow::probe_ns_per_completion() const {
    const std::uint64_t n = completions();
    if (n == 0) {
        return std::nullopt;
    }
    return static_cast<double>(probe_ns) / static_cast<double>(n);
}

DispatchWindow dispatch_window(const DispatchMark& begin, const DispatchMark& end) {
    DispatchWindow w;
    w.seconds = latency::seconds_between(begin.snapshot, end.snapshot);
    w.cpus = latency::difference(begin.snapshot, end.snapshot);
    for (const auto& c : w.cpus) {
        w.restarted = w.restarted || c.restarted;
    }
    const auto delta = [&](std::uint64_t a, std::uint64_t b) {
        if (b < a) {
            w.restarted = true;
            return b; // counted since the probes were registered again
        }
        return b - a;
    };
    w.probe_ns = delta(begin.watch.probe_ns, end.watch.probe_ns);
    w.probe_hits = delta(begin.watch.probe_hits, end.watch.probe_hits);
    w.unmatched = delta(begin.watch.unmatched, end.watch.unmatched);
    for (const auto& part : end.programs) {
        const auto before = std::find_if(begin.programs.begin(), begin.programs.end(),
                                         [&](const auto& p) { return p.name == part.name; });
        const bool known = before != begin.programs.end();
        w.programs.push_back({part.name, delta(known ? before->run_ns : 0, part.run_ns),
                              delta(known ? before->runs : 0, part.runs)});
    }
    const std::uint64_t completed = delta(begin.completed, end.completed);
    if (end.all_counted && completed > 0) {
        w.queued_share =
            static_cast<double>(delta(begin.queued, end.queued)) / static_cast<double>(completed);
    }
    w.watch_lost = !end.watch.all || !end.watch.probes;
    return w;
}

std::string device_text(DeviceNumber dev) {
    return fmt::format("{}:{}", dev.major, dev.minor);
}

DispatchWatch::DispatchWatch(Warn warn)
    : warn_(std::move(warn)) {
    try {
        probe_ = std::make_unique<bpf::DispatchProbe>();
        probe_->measure_cost();
    } catch (const std::exception& e) {
        why_ = e.what();
        return;
    }
    if (!probe_->coverage().completion_function) {
        why_ = "iomap_dio_complete_work is not in this kernel's symbols: dio completions cannot "
               "be recognised";
        probe_.reset();
        return;
    }
    cpus_ = sys::possible_cpus();
}

DispatchWatch::~DispatchWatch() = default;

void DispatchWatch::detach() {
    if (probe_) {
        probe_->detach();
    }
}

void DispatchWatch::attach() {
    if (probe_) {
        probe_->attach();
    }
}

std::optional<DispatchMark> DispatchWatch::mark(bool clear_max) {
    if (!probe_) {
        return std::nullopt;
    }
    try {
        const auto counters = probe_->read(clear_max);
        const auto cost = probe_->cost();
        DispatchMark m;
        m.snapshot =
            latency::snapshot_of(counters, std::nullopt, cpus_, sys::online_cpus(), clear_max);
        m.watch.probes = probe_->attached();
        m.watch.all = true;
        m.watch.probe_ns = cost.run_ns;
        m.watch.probe_hits = cost.runs;
        m.programs = cost.programs;
        for (const auto& c : counters) {
            m.watch.unmatched += c.unmatched;
            m.queued += c.queued;
            m.completed += c.completed;
        }
        m.all_counted = probe_->coverage().all_completions;
        return m;
    } catch (const std::exception& e) {
        if (warn_) {
            warn_(fmt::format("cannot read the dispatch latency counters: {}", e.what()));
        }
        return std::nullopt;
    }
}

} // namespace diowq::bench
