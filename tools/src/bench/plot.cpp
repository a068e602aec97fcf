// SPDX-License-Identifier: GPL-2.0
#include "bench/plot.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/units.hpp"

namespace diowq::bench {

namespace {

constexpr double width = 760;
constexpr double height = 440;
constexpr double left = 70; // room for the axis labels
constexpr double right = 20;
constexpr double top = 78;    // title, subtitle, legend
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

} // namespace

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

    std::string svg;
    svg += fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
                       R"(viewBox="0 0 {0} {1}" font-family="DejaVu Sans, Helvetica, Arial, )"
                       R"(sans-serif" font-size="12">)"
                       "\n",
                       width, height);
    svg += fmt::format(R"(<rect class="background" width="{}" height="{}" fill="#ffffff"/>)"
                       "\n",
                       width, height);

    const auto& o = setup.options;
    svg += fmt::format(R"(<text class="title" x="{}" y="22" font-size="16" font-weight="bold">)"
                       "IOPS per configuration: {}</text>\n",
                       left, xml_escape(setup.kernel));
    svg += fmt::format(
        R"(<text class="subtitle" x="{}" y="40" fill="#444444">{} on {}, {} {} O_DIRECT, )"
        R"(iodepth {}, CPU {} of {}, cpu.weight {}, {} + {} ramp x {}</text>)"
        "\n",
        left, xml_escape(setup.fstype), xml_escape(setup.source),
        o.engine.read_percent == 0 ? "randwrite" : "randrw", format_size(o.engine.block_size),
        o.engine.iodepth, setup.cpu, setup.online_cpus, setup.weight,
        format_duration(o.engine.runtime), format_duration(o.engine.ramp), o.repeat);
    svg += fmt::format(R"(<text class="legend" x="{}" y="58" fill="#444444">bar: median; )"
                       R"(whisker: min to max; dots: runs; dashed: )"
                       R"(outside_off median; label: ratio to it</text>)"
                       "\n",
                       left);

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
