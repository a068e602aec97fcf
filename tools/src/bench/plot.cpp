// SPDX-License-Identifier: GPL-2.0
#include "bench/plot.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/units.hpp"
#include "latency/format.hpp"
#include "latency/histogram.hpp"

namespace diowq::bench {

namespace {

constexpr double width = 760;
constexpr double height = 440;
constexpr double left = 70; // room for the axis labels
constexpr double right = 20;
constexpr double top = 96;    // title, two subtitle lines, legend
constexpr double bottom = 64; // configuration names

struct Style {
    const char* fill;
    const char* label;
};

Style style_of(const Configuration& configuration) {
    switch (configuration.treatment) {
    case Treatment::off:
        return configuration.placement == Placement::outside ? Style{"#7f8c9a", "kernel queue"}
                                                             : Style{"#c0392b", "kernel queue"};
    case Treatment::highpri:
        return {"#2e8b57", "diowq highpri"};
    case Treatment::unbound:
        return {"#2a7ab0", "diowq unbound"};
    case Treatment::renice:
        return {"#d68910", "kworkers at -20"};
    case Treatment::cgroup:
        return {"#8e44ad", "diowq cgroup"};
    }
    return {"#999999", ""};
}

std::string fixed(double v) {
    return fmt::format("{:.1f}", v);
}

// Axis labels: "0", "20k", "2.5k", "1.5M".
std::string tick_label(double v) {
    if (v == 0) {
        return "0";
    }
    const bool mega = v >= 1e6;
    const double scaled = v / (mega ? 1e6 : 1e3);
    const char* unit = mega ? "M" : "k";
    if (v < 1000) {
        return fmt::format("{:.0f}", v);
    }
    return scaled == std::floor(scaled) ? fmt::format("{:.0f}{}", scaled, unit)
                                        : fmt::format("{:g}{}", scaled, unit);
}

// The second subtitle line of both charts: what the writes were and where the load ran, e.g.
// "unwritten writes, 2 jobs on CPUs 0, 1 of 2, cgroups nested as kubelet's (k8s): the
// container's cpu.weight 100".
std::string load_line(const BenchSetup& setup) {
    const auto& o = setup.options;
    const auto cpus = setup.load_cpus();
    const std::string where =
        o.jobs == 1 ? fmt::format("1 job on CPU {}", setup.cpu)
                    : fmt::format("{} jobs on CPUs {}", o.jobs, fmt::join(cpus, ", "));
    const std::string cgroup =
        o.hierarchy == Hierarchy::flat
            ? fmt::format("one cgroup, cpu.weight {}", setup.weight)
            : fmt::format("cgroups nested as kubelet's ({}, a {}-CPU node): the container's "
                          "cpu.weight {}",
                          hierarchy_name(o.hierarchy), setup.node_cpus(), setup.weight);
    return fmt::format("{} writes, {} of {}, {}", pattern_name(o.pattern), where, setup.online_cpus,
                       cgroup);
}

const Configuration* configuration_named(const BenchSetup& setup, std::string_view name) {
    for (const auto& c : setup.options.configurations) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

std::string svg_start(double w, double h) {
    std::string svg;
    svg += fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
                       R"(viewBox="0 0 {0} {1}" font-family="DejaVu Sans, Helvetica, Arial, )"
                       R"(sans-serif" font-size="12">)"
                       "\n",
                       w, h);
    svg += fmt::format(R"(<rect class="background" width="{}" height="{}" fill="#ffffff"/>)"
                       "\n",
                       w, h);
    return svg;
}

} // namespace

std::string decade_label(int exponent) {
    static constexpr const char* units[] = {"ns", "us", "ms", "s"};
    if (exponent < 0) {
        return "0";
    }
    const int unit = std::min(exponent / 3, 3);
    const int rest = exponent - unit * 3;
    std::string digits = "1";
    for (int i = 0; i < rest; ++i) {
        digits += '0';
    }
    return fmt::format("{} {}", digits, units[unit]);
}

std::string dispatch_svg(const BenchSetup& setup,
                         const std::vector<ConfigurationSummary>& summaries) {
    constexpr double w = 900;
    constexpr double h = 440;
    constexpr double plot_left = 70;
    constexpr double plot_right = 610; // the legend is to the right
    const double plot_w = plot_right - plot_left;
    const double plot_h = h - top - bottom;

    // The x range: whole decades around every bucket with a count.
    std::optional<std::size_t> lowest;
    std::optional<std::size_t> highest;
    for (const auto& s : summaries) {
        if (s.dispatch_runs == 0) {
            continue;
        }
        for (std::size_t b = 0; b < s.dispatch_hist.size(); ++b) {
            if (s.dispatch_hist[b] != 0) {
                lowest = std::min(lowest.value_or(b), b);
                highest = std::max(highest.value_or(b), b);
            }
        }
    }
    // Bucket b (>= 1) spans [2^(b-1), 2^b) ns; bucket 0 (0 ns) is drawn at the left edge.
    const auto log_low = [](std::size_t b) {
        return b == 0 ? 0.0 : double(b - 1) * std::log10(2.0);
    };
    const auto log_high = [](std::size_t b) { return double(b) * std::log10(2.0); };
    int x_min = 2; // 100 ns .. 1 ms when there is nothing
    int x_max = 6;
    if (lowest && highest) {
        x_min = std::min(static_cast<int>(std::floor(log_low(*lowest))), 8);
        x_max = std::max(static_cast<int>(std::ceil(log_high(*highest))), x_min + 1);
        if (*lowest == 0) {
            x_min = 0;
        }
    }
    const auto x_of = [&](double log_ns) {
        const double clamped = std::clamp(log_ns, double(x_min), double(x_max));
        return plot_left + plot_w * (clamped - x_min) / double(x_max - x_min);
    };
    const auto y_of = [&](double fraction) { return top + plot_h * (1 - fraction); };

    std::string svg = svg_start(w, h);
    svg += fmt::format(R"(<text class="title" x="{}" y="22" font-size="16" font-weight="bold">)"
                       "Dispatch latency of dio write completions: {}</text>\n",
                       plot_left, xml_escape(setup.kernel));
    svg += fmt::format(
        R"(<text class="subtitle" x="{}" y="40" fill="#444444">queued to running, as )"
        R"(diowqctl's BPF program measures it; {} on {}, {} {}, {} x {}</text>)"
        "\n",
        plot_left, xml_escape(setup.fstype), xml_escape(setup.source),
        io_engine_label(setup.options.engine.ioengine, setup.options.engine.uring_setup),
        format_size(setup.options.engine.block_size), format_duration(setup.options.engine.runtime),
        setup.options.repeat);
    svg += fmt::format(R"(<text class="subtitle" x="{}" y="58" fill="#444444">{}</text>)"
                       "\n",
                       plot_left, xml_escape(load_line(setup)));
    svg += fmt::format(R"(<text class="legend" x="{}" y="76" fill="#444444">share of )"
                       R"(completions dispatched within x (CDF); all runs and CPUs summed; )"
                       R"(log2 buckets, straight between their edges</text>)"
                       "\n",
                       plot_left);

    // Grid: decades across, tenths up (and the p50 and p99 lines).
    for (int e = x_min; e <= x_max; ++e) {
        const double x = x_of(e);
        svg += fmt::format(R"(<line class="grid" x1="{0}" y1="{1}" x2="{0}" y2="{2}" )"
                           R"(stroke="#e3e3e3"/>)"
                           "\n",
                           fixed(x), fixed(top), fixed(top + plot_h));
        svg += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="middle" )"
                           R"(fill="#444444">{}</text>)"
                           "\n",
                           fixed(x), fixed(top + plot_h + 18), decade_label(e));
    }
    for (int tenth = 0; tenth <= 10; tenth += 2) {
        const double y = y_of(tenth / 10.0);
        svg += fmt::format(R"(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}" )"
                           R"(stroke="#e3e3e3"/>)"
                           "\n",
                           plot_left, fixed(y), plot_right, fixed(y));
        svg += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end" )"
                           R"(fill="#444444">{}%</text>)"
                           "\n",
                           plot_left - 8, fixed(y + 4), tenth * 10);
    }
    for (const auto& [fraction, label] : {std::pair{0.5, "p50"}, std::pair{0.99, "p99"}}) {
        const double y = y_of(fraction);
        svg += fmt::format(R"(<line class="quantile" x1="{0}" y1="{1}" x2="{2}" y2="{1}" )"
                           R"(stroke="#999999" stroke-dasharray="3 3"/>)"
                           "\n",
                           plot_left, fixed(y), plot_right);
        svg += fmt::format(R"(<text class="quantile-label" x="{}" y="{}" fill="#777777">{})"
                           "</text>\n",
                           plot_right + 4, fixed(y + 4), label);
    }
    svg += fmt::format(R"(<text class="axis-label" x="{}" y="{}" text-anchor="middle" )"
                       R"(fill="#444444">dispatch latency (log scale)</text>)"
                       "\n",
                       fixed(plot_left + plot_w / 2), fixed(h - 16));
    svg += fmt::format(R"(<path class="axis" d="M{0} {1}V{2}H{3}" stroke="#333333" )"
                       R"(fill="none"/>)"
                       "\n",
                       plot_left, fixed(top), fixed(top + plot_h), plot_right);

    double legend_y = top + 4;
    for (const auto& s : summaries) {
        const Configuration* configuration = configuration_named(setup, s.name);
        const Style style = configuration ? style_of(*configuration) : Style{"#999999", ""};
        // Tuned outside shares highpri's colour with inside_on: dashed.
        const bool dashed = configuration && configuration->placement == Placement::outside &&
                            configuration->treatment != Treatment::off;
        const char* dash = dashed ? R"( stroke-dasharray="7 4")" : "";
        const std::uint64_t n = latency::total(s.dispatch_hist);
        if (s.dispatch_runs > 0 && n > 0) {
            std::string d;
            std::uint64_t below = 0;
            bool started = false;
            for (std::size_t b = *lowest; b <= *highest; ++b) {
                if (!started && s.dispatch_hist[b] == 0) {
                    continue;
                }
                if (!started) {
                    d += fmt::format("M{} {}", fixed(x_of(log_low(b))), fixed(y_of(0)));
                    started = true;
                }
                below += s.dispatch_hist[b];
                double right_edge = log_high(b);
                if (b + 1 == latency::bucket_count && s.dispatch_max_ns) {
                    right_edge = std::log10(double(std::max<std::uint64_t>(*s.dispatch_max_ns, 1)));
                }
                d += fmt::format("L{} {}", fixed(x_of(b == 0 ? x_min : right_edge)),
                                 fixed(y_of(double(below) / double(n))));
            }
            svg += fmt::format(R"(<path class="cdf" data-configuration="{}" d="{}" )"
                               R"(stroke="{}" stroke-width="2" fill="none"{}/>)"
                               "\n",
                               s.name, d, style.fill, dash);
        }
        // Legend: a line sample, the name, and the medians of the runs.
        svg += fmt::format(R"(<line class="legend-line" x1="{0}" y1="{1}" x2="{2}" y2="{1}" )"
                           R"(stroke="{3}" stroke-width="2"{4}/>)"
                           "\n",
                           plot_right + 34, fixed(legend_y), plot_right + 58, style.fill, dash);
        svg += fmt::format(R"(<text class="legend-name" x="{}" y="{}" font-weight="bold">{})"
                           "</text>\n",
                           plot_right + 64, fixed(legend_y + 4), xml_escape(s.name));
        const auto ns_text = [](const std::optional<double>& ns) {
            return ns ? latency::format_ns(static_cast<std::uint64_t>(*ns)) : std::string("-");
        };
        const std::string numbers =
            s.dispatch_runs == 0 || n == 0
                ? std::string("no completions measured")
                : fmt::format("p50 {}, p99 {}, max {}", ns_text(s.dispatch_p50_ns_median),
                              ns_text(s.dispatch_p99_ns_median),
                              latency::format_ns(s.dispatch_max_ns));
        svg += fmt::format(R"(<text class="legend-values" x="{}" y="{}" fill="#444444">{})"
                           "</text>\n",
                           plot_right + 64, fixed(legend_y + 20), numbers);
        legend_y += 42;
    }
    if (!lowest) {
        svg += fmt::format(R"(<text class="empty" x="{}" y="{}" text-anchor="middle" )"
                           R"(fill="#777777">no dispatch latency recorded</text>)"
                           "\n",
                           fixed(plot_left + plot_w / 2), fixed(top + plot_h / 2));
    }
    svg += fmt::format(R"(<text class="note" x="{}" y="{}" fill="#777777">legend: medians of )"
                       R"(the runs; max of all</text>)"
                       "\n",
                       plot_right + 34, fixed(h - 16));
    svg += "</svg>\n";
    return svg;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

double nice_step(double top_value, int ticks) {
    if (!(top_value > 0) || ticks < 1) {
        return 1;
    }
    const double raw = top_value / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * magnitude >= raw) {
            return m * magnitude;
        }
    }
    return 10 * magnitude;
}

std::string iops_svg(const BenchSetup& setup, const std::vector<RunRecord>& records,
                     const std::vector<ConfigurationSummary>& summaries) {
    const auto& configurations = setup.options.configurations;
    double highest = 0;
    for (const auto& r : records) {
        highest = std::max(highest, r.engine.iops());
    }
    for (const auto& s : summaries) {
        if (s.repeats > 0) {
            highest = std::max(highest, s.iops.max);
        }
    }
    const double step = nice_step(highest > 0 ? highest * 1.12 : 1000, 6);
    const double axis_top = std::max(step, std::ceil(highest * 1.12 / step) * step);
    const double plot_w = width - left - right;
    const double plot_h = height - top - bottom;
    const auto y_of = [&](double iops) { return top + plot_h * (1 - iops / axis_top); };

    std::string svg = svg_start(width, height);

    const auto& o = setup.options;
    svg += fmt::format(R"(<text class="title" x="{}" y="22" font-size="16" font-weight="bold">)"
                       "IOPS per configuration: {}</text>\n",
                       left, xml_escape(setup.kernel));
    svg += fmt::format(
        R"(<text class="subtitle" x="{}" y="40" fill="#444444">{} on {}, {} {} O_DIRECT {}, )"
        R"(iodepth {}, {} + {} ramp x {}</text>)"
        "\n",
        left, xml_escape(setup.fstype), xml_escape(setup.source),
        o.engine.read_percent == 0 ? "randwrite" : "randrw", format_size(o.engine.block_size),
        io_engine_label(o.engine.ioengine, o.engine.uring_setup), o.engine.iodepth,
        format_duration(o.engine.runtime), format_duration(o.engine.ramp), o.repeat);
    svg += fmt::format(R"(<text class="subtitle" x="{}" y="58" fill="#444444">{}</text>)"
                       "\n",
                       left, xml_escape(load_line(setup)));
    // The isolation bench has no baseline run: its labels are the medians.
    const bool baseline = std::any_of(summaries.begin(), summaries.end(), [](const auto& s) {
        return s.name == baseline_name && s.repeats > 0;
    });
    svg += fmt::format(R"(<text class="legend" x="{}" y="76" fill="#444444">bar: median; )"
                       R"(whisker: min to max; dots: runs{}</text>)"
                       "\n",
                       left,
                       baseline ? "; dashed: outside_off median; label: ratio to it"
                       : o.isolation
                           ? fmt::format("; pod B spins on CPU {}, pod A's cpu.max in capped_: {}",
                                         setup.cpu, o.isolation->cpu_max.text())
                           : std::string());

    // Axis and grid.
    const auto ticks = static_cast<int>(std::lround(axis_top / step));
    for (int tick = 0; tick <= ticks; ++tick) {
        const double v = tick * step;
        const double y = y_of(v);
        svg += fmt::format(R"(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}" )"
                           R"(stroke="#e3e3e3"/>)"
                           "\n",
                           left, fixed(y), width - right, fixed(y));
        svg += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end" )"
                           R"(fill="#444444">{}</text>)"
                           "\n",
                           left - 8, fixed(y + 4), tick_label(v));
    }
    svg += fmt::format(R"svg(<text class="axis-label" transform="translate(16,{}) rotate(-90)" )svg"
                       R"(text-anchor="middle" fill="#444444">IOPS</text>)"
                       "\n",
                       fixed(top + plot_h / 2));
    svg +=
        fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#333333"/>)"
                    "\n",
                    left, fixed(top + plot_h), width - right);

    const double slot = plot_w / double(std::max<std::size_t>(configurations.size(), 1));
    const double bar_w = std::min(70.0, slot * 0.55);
    for (std::size_t i = 0; i < configurations.size(); ++i) {
        const auto& configuration = configurations[i];
        const std::string name(configuration.name);
        const Style style = style_of(configuration);
        const double cx = left + slot * (double(i) + 0.5);
        const auto summary = std::find_if(summaries.begin(), summaries.end(),
                                          [&](const auto& s) { return s.name == name; });
        if (summary != summaries.end() && summary->repeats > 0) {
            const double y = y_of(summary->iops.median);
            svg += fmt::format(R"(<rect class="bar" data-configuration="{}" x="{}" y="{}" )"
                               R"(width="{}" height="{}" fill="{}" fill-opacity="0.85"/>)"
                               "\n",
                               name, fixed(cx - bar_w / 2), fixed(y), fixed(bar_w),
                               fixed(top + plot_h - y), style.fill);
            const double y_min = y_of(summary->iops.min);
            const double y_max = y_of(summary->iops.max);
            svg += fmt::format(R"(<path class="whisker" d="M{0} {1}V{2}M{3} {1}H{4}M{3} {2}H{4}" )"
                               R"(stroke="#222222" fill="none"/>)"
                               "\n",
                               fixed(cx), fixed(y_min), fixed(y_max), fixed(cx - 8), fixed(cx + 8));
            std::string label = format_rate(summary->iops.median);
            if (summary->ratio) {
                label += fmt::format(" ({:.2f}x)", *summary->ratio);
            }
            svg += fmt::format(R"(<text class="value" x="{}" y="{}" text-anchor="middle" )"
                               R"(font-weight="bold">{}</text>)"
                               "\n",
                               fixed(cx), fixed(std::min(y, y_max) - 8), label);
        }
        // Every run, spread across the bar so that equal values stay visible.
        std::size_t runs = 0;
        for (const auto& r : records) {
            runs += r.configuration == name ? 1u : 0u;
        }
        std::size_t k = 0;
        for (const auto& r : records) {
            if (r.configuration != name) {
                continue;
            }
            const double dx = runs > 1 ? (double(k) / double(runs - 1) - 0.5) * bar_w * 0.6 : 0;
            svg += fmt::format(R"(<circle class="run" cx="{}" cy="{}" r="3" fill="#ffffff" )"
                               R"(stroke="#222222"/>)"
                               "\n",
                               fixed(cx + dx), fixed(y_of(r.engine.iops())));
            ++k;
        }
        svg += fmt::format(R"(<text class="name" x="{}" y="{}" text-anchor="middle">{}</text>)"
                           "\n",
                           fixed(cx), fixed(top + plot_h + 18), name);
        svg += fmt::format(R"(<text class="treatment" x="{}" y="{}" text-anchor="middle" )"
                           R"(fill="{}">{}</text>)"
                           "\n",
                           fixed(cx), fixed(top + plot_h + 34), style.fill, style.label);
    }

    const auto base = std::find_if(summaries.begin(), summaries.end(),
                                   [](const auto& s) { return s.name == baseline_name; });
    if (base != summaries.end() && base->repeats > 0) {
        const double y = y_of(base->iops.median);
        svg += fmt::format(R"(<line class="baseline" x1="{0}" y1="{1}" x2="{2}" y2="{1}" )"
                           R"(stroke="#333333" stroke-dasharray="6 4"/>)"
                           "\n",
                           left, fixed(y), width - right);
    }
    svg += "</svg>\n";
    return svg;
}

} // namespace diowq::bench
