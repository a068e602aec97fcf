// SPDX-License-Identifier: GPL-2.0
#include "bench/verdict.hpp"

#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace diowq::bench {

std::string verdict(const std::vector<ConfigurationSummary>& summaries) {
    const auto* inside = find_summary(summaries, "inside_off");
    if (inside == nullptr || !inside->ratio) {
        return {};
    }
    std::string line;
    if (completions_mostly_inline(summaries)) {
        // Never "cured": there was nothing to cure.
        line = fmt::format("not affected on this kernel for this pattern: {:.0f}% of the writes' "
                           "completions went through a queue, the rest without one; inside/off is "
                           "{:.2f}x of outside",
                           100 * *inside->queued_share_median, *inside->ratio);
    } else if (*inside->ratio < 0.95) {
        line = fmt::format("starvation: inside/off is {:.2f}x of outside", *inside->ratio);
    } else {
        line = fmt::format("no starvation here: inside/off is {:.2f}x of outside", *inside->ratio);
    }
    std::vector<std::string> cures;
    for (const auto& [name, label] :
         {std::pair{"inside_on", "highpri"}, std::pair{"inside_on_unbound", "unbound"}}) {
        const auto* s = find_summary(summaries, name);
        if (s && s->ratio) {
            cures.push_back(fmt::format("{:.2f}x ({})", *s->ratio, label));
        }
    }
    if (!cures.empty()) {
        line += fmt::format("; with diowq {}", fmt::join(cures, ", "));
    }
    if (const auto* s = find_summary(summaries, "inside_renice"); s && s->ratio) {
        line += fmt::format("; reniced kworkers {:.2f}x", *s->ratio);
    }
    if (const auto* s = find_summary(summaries, "outside_on"); s && s->ratio) {
        line += fmt::format("; uncontended with diowq {:.2f}x", *s->ratio);
    }
    return line;
}

} // namespace diowq::bench
