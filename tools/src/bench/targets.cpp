// SPDX-License-Identifier: GPL-2.0
#include "bench/targets.hpp"

#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace diowq::bench {

namespace {

// Which number of a configuration's summary a target reads; each is against the baseline.
enum class Measure {
    ratio,          // median IOPS
    worst_ratio,    // the lowest run's IOPS
    switches_ratio, // median context switches per I/O
};

enum class Bound {
    at_least, // value >= limit
    at_most,  // value <= limit
    within,   // |value - 1| <= limit
    beats,    // ratio above the rival's; the value is the one over the other
};

// Which runs a rule judges: the cure's where completions were queued (or nobody knows), the
// absence of harm where the kernel completed them inline, the cost of diowq and of the program
// everywhere.
enum class Judges { queued, inline_only, all };

struct Rule {
    Judges judges;
    std::string_view name;
    std::string_view claim; // beats: {} is the rival's ratio
    std::string_view configuration;
    Measure measure;
    Bound bound;
    double limit = 0;
    std::string_view rival = {}; // beats: the configuration to beat
};

// The report lists the targets in this order.
constexpr Rule rules[] = {
    {Judges::queued, "highpri_vs_outside", "inside_on >= 1.00x outside_off", "inside_on",
     Measure::ratio, Bound::at_least, 1.0},
    {Judges::queued, "unbound_vs_outside", "inside_on_unbound >= 1.05x outside_off",
     "inside_on_unbound", Measure::ratio, Bound::at_least, 1.05},
    {Judges::queued, "inside_on_every_run", "every inside_on run >= 0.95x outside_off", "inside_on",
     Measure::worst_ratio, Bound::at_least, 0.95},
    {Judges::queued, "inside_on_ctx_per_io", "inside_on ctx/IO <= 1.2x outside_off", "inside_on",
     Measure::switches_ratio, Bound::at_most, 1.2},
    {Judges::queued, "inside_on_unbound_every_run",
     "every inside_on_unbound run >= 0.95x outside_off", "inside_on_unbound", Measure::worst_ratio,
     Bound::at_least, 0.95},
    {Judges::queued, "inside_on_unbound_ctx_per_io", "inside_on_unbound ctx/IO <= 1.2x outside_off",
     "inside_on_unbound", Measure::switches_ratio, Bound::at_most, 1.2},
    {Judges::inline_only, "inline_no_starvation",
     "inside_off >= 0.97x outside_off (completed inline)", "inside_off", Measure::ratio,
     Bound::at_least, 0.97},
    {Judges::inline_only, "inline_highpri_no_harm", "inside_on within 3% of outside_off",
     "inside_on", Measure::ratio, Bound::within, 0.03},
    {Judges::inline_only, "inline_unbound_no_harm", "inside_on_unbound within 3% of outside_off",
     "inside_on_unbound", Measure::ratio, Bound::within, 0.03},
    {Judges::all, "no_contention_cost", "outside_on within 2% of outside_off", "outside_on",
     Measure::ratio, Bound::within, 0.02},
    {Judges::all, "program_cost", "outside_unwatched within 3% of outside_off", "outside_unwatched",
     Measure::ratio, Bound::within, 0.03},
    {Judges::queued, "inside_on_beats_renice", "inside_on > inside_renice ({:.2f}x)", "inside_on",
     Measure::ratio, Bound::beats, 0, "inside_renice"},
    {Judges::queued, "inside_on_unbound_beats_renice",
     "inside_on_unbound > inside_renice ({:.2f}x)", "inside_on_unbound", Measure::ratio,
     Bound::beats, 0, "inside_renice"},
};

std::optional<double> measured(const std::vector<ConfigurationSummary>& summaries,
                               std::string_view configuration, Measure measure) {
    const ConfigurationSummary* s = find_summary(summaries, configuration);
    if (s == nullptr) {
        return std::nullopt;
    }
    switch (measure) {
    case Measure::ratio:
        return s->ratio;
    case Measure::worst_ratio:
        return s->worst_ratio;
    case Measure::switches_ratio:
        return s->switches_ratio;
    }
    return std::nullopt;
}

// The target a rule makes of the summaries; nullopt when they lack its numbers.
std::optional<Target> judge(const Rule& rule, const std::vector<ConfigurationSummary>& summaries) {
    const auto value = measured(summaries, rule.configuration, rule.measure);
    if (!value) {
        return std::nullopt;
    }
    switch (rule.bound) {
    case Bound::at_least:
        return Target{std::string(rule.name), std::string(rule.claim), *value,
                      *value >= rule.limit};
    case Bound::at_most:
        return Target{std::string(rule.name), std::string(rule.claim), *value,
                      *value <= rule.limit};
    case Bound::within:
        return Target{std::string(rule.name), std::string(rule.claim), *value,
                      std::fabs(*value - 1.0) <= rule.limit};
    case Bound::beats:
        if (const auto rival = measured(summaries, rule.rival, rule.measure)) {
            return Target{std::string(rule.name), fmt::format(fmt::runtime(rule.claim), *rival),
                          *value / *rival, *value > *rival};
        }
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

std::vector<Target> evaluate_targets(const std::vector<ConfigurationSummary>& summaries) {
    const Judges skipped =
        completions_mostly_inline(summaries) ? Judges::queued : Judges::inline_only;
    std::vector<Target> targets;
    for (const Rule& rule : rules) {
        if (rule.judges == skipped) {
            continue;
        }
        if (auto target = judge(rule, summaries)) {
            targets.push_back(std::move(*target));
        }
    }
    // The isolation bench's compare two configurations with each other, not with the baseline.
    for (auto& target : isolation_targets(summaries)) {
        targets.push_back(std::move(target));
    }
    return targets;
}

} // namespace diowq::bench
