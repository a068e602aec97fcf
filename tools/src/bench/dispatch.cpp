// SPDX-License-Identifier: GPL-2.0
#include "bench/dispatch.hpp"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "latency/histogram.hpp"
#include "netlink/extack.hpp"

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
    w.watch_lost = !end.watch.all || !end.watch.probes;
    return w;
}

std::string device_text(DeviceNumber dev) {
    return fmt::format("{}:{}", dev.major, dev.minor);
}

DispatchWatch::DispatchWatch(Warn warn)
    : warn_(std::move(warn)) {
    std::unique_ptr<nl::DiowqClient> client;
    try {
        client = std::make_unique<nl::DiowqClient>(nl::DiowqClient::connect());
        client->on_warning([this](const std::string& message) {
            if (warn_) {
                warn_("kernel: " + message);
            }
        });
    } catch (const nl::ModuleNotLoaded&) {
        why_ = "the diowq module is not loaded";
        return;
    } catch (const std::exception& e) {
        why_ = fmt::format("cannot talk to the diowq module: {}", e.what());
        return;
    }
    try {
        before_ = client->get_watch();
    } catch (const nl::KernelError& e) {
        // A module from before dispatch latency does not know GET_WATCH.
        why_ = e.error() == EOPNOTSUPP || e.error() == EINVAL
                   ? fmt::format("the loaded diowq module does not measure dispatch latency "
                                 "(too old: GET_WATCH answered {})",
                                 e.what())
                   : fmt::format("GET_WATCH failed: {}", e.what());
        return;
    } catch (const std::exception& e) {
        why_ = fmt::format("GET_WATCH failed: {}", e.what());
        return;
    }
    if (!before_.all) {
        try {
            client->watch_all();
            added_ = true;
        } catch (const std::exception& e) {
            why_ = fmt::format("cannot watch every filesystem: {}", e.what());
            return;
        }
    }
    client_ = std::move(client);
}

DispatchWatch::~DispatchWatch() {
    restore();
}

std::optional<DispatchMark> DispatchWatch::mark(bool clear_max) {
    if (!client_) {
        return std::nullopt;
    }
    try {
        DispatchMark m;
        m.watch = client_->get_watch();
        m.snapshot.cpus = client_->get_latency(clear_max);
        m.snapshot.taken = std::chrono::steady_clock::now();
        m.snapshot.max_cleared = clear_max;
        return m;
    } catch (const std::exception& e) {
        if (warn_) {
            warn_(fmt::format("cannot read the dispatch latency counters: {}", e.what()));
        }
        return std::nullopt;
    }
}

// Ending the watch of all filesystems leaves those of single ones (each watch is one of its own),
// but a run's untune ends the watch of the bench's filesystem: put back any watched before.
void DispatchWatch::restore() {
    if (!client_ || restored_) {
        return;
    }
    restored_ = true;
    try {
        const WatchState now = client_->get_watch();
        if (added_ && now.all) {
            client_->unwatch_all();
        }
        for (const auto& dev : before_.watched) {
            if (now.watches(dev)) {
                continue;
            }
            try {
                client_->watch_device(dev);
            } catch (const std::exception& e) {
                if (warn_) {
                    warn_(fmt::format("could not watch {} again (it was watched before the "
                                      "bench): {}",
                                      device_text(dev), e.what()));
                }
            }
        }
    } catch (const std::exception& e) {
        if (warn_) {
            warn_(fmt::format("could not put the dispatch latency watches back ({}): {}",
                              added_ ? "unwatch all" : "as found", e.what()));
        }
    }
}

} // namespace diowq::bench
